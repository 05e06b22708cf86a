"""The base class of every AudioMuse Celery task.

It gives all tasks the same bookkeeping: the status row goes STARTED when a
worker picks the task up, SUCCESS when the body returns (unless the body put
it in another terminal state, e.g. REVOKED after a cancel), FAILURE with the
error when it raises; and one log line with the duration either way.
"""

from __future__ import annotations

import logging
import time

from celery import Task

from scheduling import services
from scheduling.models import TaskState

logger = logging.getLogger("audiomuse.tasks")


class TrackedTask(Task):
    """Subclasses (or ``@shared_task(base=TrackedTask, task_type=...)``) set ``task_type``."""

    abstract = True
    task_type = "task"
    # Orchestrators whose work goes on in other tasks finish their own row later.
    finishes_itself = False

    def before_start(self, task_id, args, kwargs):
        self.request.audiomuse_started = time.monotonic()
        parent_id = getattr(self.request, "parent_id", None)
        services.task_status_start(task_id=task_id, task_type=self.task_type, parent_task_id=parent_id)
        logger.info("task.started", extra={"task_id": task_id, "task_type": self.task_type})

    def on_success(self, retval, task_id, args, kwargs):
        if not self.finishes_itself:
            services.task_status_finish(task_id=task_id, state=TaskState.SUCCESS, status_message="Finished")
        logger.info("task.succeeded", extra={"task_id": task_id, "seconds": self._elapsed()})

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        message = f"Failed: {type(exc).__name__}: {exc}"
        services.task_status_finish(task_id=task_id, state=TaskState.FAILURE, status_message=message)
        logger.error("task.failed", extra={"task_id": task_id, "seconds": self._elapsed(), "error": str(exc)})

    def _elapsed(self) -> float:
        started = getattr(self.request, "audiomuse_started", None)
        return round(time.monotonic() - started, 3) if started else 0.0
