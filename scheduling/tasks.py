"""Celery tasks of the scheduling app: the steps of every registered job's run (see ``scheduling.runs``)."""

from __future__ import annotations

import logging

from celery import shared_task

from scheduling import runs
from scheduling.errors import retryable
from scheduling.task_base import TrackedTask

logger = logging.getLogger(__name__)


# The run's own row: its planning task carries the run's id and finishes it later, from another task.
# Orchestrators report through their status rows, so their results are not stored.
@shared_task(bind=True, base=TrackedTask, task_type="job", finishes_itself=True, name="scheduling.plan",
             ignore_result=True)  # fmt: skip
def run_plan(self, run_id: str):
    runs.run_plan(run_id=run_id)


@shared_task(name="scheduling.advance", ignore_result=True)
def run_advance(run_id: str):
    runs.run_advance(run_id=run_id)


@shared_task(name="scheduling.finish", ignore_result=True)
def run_finish(run_id: str):
    try:
        runs.run_finish(run_id=run_id)
    except Exception as exc:
        # Anything unexpected still ends the run, instead of leaving it "finishing" forever.
        logger.exception("job.finish.crashed", extra={"task_id": run_id})
        runs.run_fail(run_id=run_id, message=f"Finishing failed: {type(exc).__name__}: {exc}")


@shared_task(bind=True, base=TrackedTask, task_type="work_item", name="scheduling.work_item", ignore_result=True)
def work_item(self, run_id: str, item_id: int):
    child_id = self.request.id
    try:
        runs.item_do(child_id=child_id, run_id=run_id, item_id=item_id)
    except Exception as exc:
        if retryable(exc) and self.request.retries < runs.item_retries(run_id=run_id):
            raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc
        # Out of attempts: recorded and counted; the run goes on unless too many items fail.
        attempts = self.request.retries + 1
        logger.warning("job.item.failed", extra={"task_id": child_id, "run_id": run_id, "error": str(exc)})
        runs.item_fail(child_id=child_id, message=f"Failed after {attempts} attempt(s): {type(exc).__name__}: {exc}")
    runs.item_ended(run_id=run_id)


@shared_task(name="scheduling.reconcile", ignore_result=True)
def reconcile_runs():
    return runs.runs_reconcile()
