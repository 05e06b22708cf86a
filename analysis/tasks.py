"""Celery tasks of the analysis app: thin wrappers over orchestration and the album job."""

from __future__ import annotations

from celery import shared_task

from analysis import album_job, orchestration
from common.config import setting
from scheduling import services as task_services
from scheduling.errors import retryable
from scheduling.models import TaskState
from scheduling.task_base import TrackedTask


# Orchestrators report through their status rows; storing results would only
# make every caller subscribe to a result channel it never reads.
@shared_task(
    bind=True,
    base=TrackedTask,
    task_type="main_analysis",
    finishes_itself=True,
    name="analysis.main",
    ignore_result=True,
)
def main_analysis(self, num_recent_albums: int = 0):
    orchestration.analysis_plan(run_id=self.request.id, num_recent_albums=num_recent_albums)


@shared_task(name="analysis.advance", ignore_result=True)
def main_analysis_advance(run_id: str):
    orchestration.analysis_advance(run_id=run_id)


@shared_task(bind=True, base=TrackedTask, task_type="album_analysis", name="analysis.album")
def album_analysis(self, run_id: str, album_id: str):
    child_id = self.request.id
    try:
        outcome = album_job.album_analysis_run(child_id=child_id, run_id=run_id, album_id=album_id)
    except album_job.MediaServerGone as exc:
        message = f"Media server unavailable: {exc}"
        task_services.task_status_finish(task_id=child_id, state=TaskState.FAILURE, status_message=message)
        orchestration.analysis_fail(run_id=run_id, message=message)
        return {"error": message}
    except Exception as exc:
        if retryable(exc) and self.request.retries < setting("ANALYSIS_TASK_RETRIES"):
            raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc
        # Out of retries, or an error trying again cannot help: record it and return,
        # so the window's callback still runs.
        message = f"Album failed after {self.request.retries + 1} attempts: {type(exc).__name__}: {exc}"
        task_services.task_status_finish(task_id=child_id, state=TaskState.FAILURE, status_message=message)
        orchestration.analysis_progress_refresh(run_id=run_id)
        return {"error": message}
    summary = f"{outcome.tracks_analysed} analysed, {outcome.tracks_skipped} skipped, {outcome.tracks_failed} failed"
    for failure in outcome.failures:
        task_services.task_status_update(task_id=child_id, status_message=f"Skipped {failure}")
    task_services.task_status_finish(
        task_id=child_id, state=TaskState.SUCCESS, status_message=f"Album done: {summary}", counters=outcome.counters()
    )
    orchestration.analysis_progress_refresh(run_id=run_id)
    return outcome.counters()


@shared_task(name="analysis.reconcile", ignore_result=True)
def reconcile_analysis():
    return orchestration.analysis_reconcile()


@shared_task(bind=True, base=TrackedTask, task_type="cleaning", name="analysis.cleaning", ignore_result=True)
def cleaning(self):
    from analysis.cleaning import cleaning_run

    return cleaning_run(task_id=self.request.id)
