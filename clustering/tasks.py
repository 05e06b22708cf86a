"""Celery tasks of the clustering app: thin wrappers over orchestration and the batch job."""

from __future__ import annotations

import logging

from celery import shared_task

from clustering import jobs, orchestration
from scheduling import services as task_services
from scheduling.models import TaskState
from scheduling.task_base import TrackedTask

logger = logging.getLogger(__name__)


# Orchestrators report through their status rows, so their results are not stored.
@shared_task(
    bind=True,
    base=TrackedTask,
    task_type="main_clustering",
    finishes_itself=True,
    name="clustering.main",
    ignore_result=True,
)
def main_clustering(self):
    orchestration.clustering_plan(run_id=self.request.id)


@shared_task(name="clustering.advance", ignore_result=True)
def clustering_advance(run_id: str):
    orchestration.clustering_advance(run_id=run_id)


@shared_task(name="clustering.commit", ignore_result=True)
def clustering_commit(run_id: str):
    try:
        jobs.clustering_commit(run_id=run_id)
    except Exception as exc:
        # Anything unexpected still ends the job, instead of leaving it "writing playlists" forever.
        logger.exception("clustering.commit.crashed", extra={"task_id": run_id})
        orchestration.clustering_fail(run_id=run_id, message=f"Writing playlists failed: {type(exc).__name__}: {exc}")


@shared_task(bind=True, base=TrackedTask, task_type="clustering_batch", name="clustering.batch", ignore_result=True)
def clustering_batch(self, run_id: str, batch_id: int, elites: list[dict]):
    child_id = self.request.id
    try:
        result = jobs.clustering_batch_run(child_id=child_id, run_id=run_id, batch_id=batch_id, elites=elites)
    except Exception as exc:
        # A failed batch is recorded and counted; the job goes on unless too many fail.
        message = f"Batch failed: {type(exc).__name__}: {exc}"
        logger.warning("clustering.batch.failed", extra={"task_id": child_id, "run_id": run_id, "error": str(exc)})
        task_services.task_status_finish(task_id=child_id, state=TaskState.FAILURE, status_message=message)
    else:
        _batch_finish(child_id=child_id, result=result)
    clustering_advance.apply_async(kwargs={"run_id": run_id}, queue="high")


def _batch_finish(*, child_id: str, result) -> None:
    if result is None:
        task_services.task_status_finish(
            task_id=child_id, state=TaskState.REVOKED, status_message="Cancelled: result discarded"
        )
        return
    score = "none usable" if result.best is None else f"{result.best.score:.2f}"
    task_services.task_status_finish(
        task_id=child_id,
        state=TaskState.SUCCESS,
        status_message=f"Batch done: {result.runs} runs, {result.unusable_runs} unusable, best score {score}",
        counters={"runs": result.runs, "unusable_runs": result.unusable_runs},
    )


@shared_task(name="clustering.reconcile", ignore_result=True)
def reconcile_clustering():
    return orchestration.clustering_reconcile()
