"""Task errors, mapped to HTTP statuses in one place."""

from rest_framework import status

from audiomuse.api.errors import DOMAIN_ERROR_STATUS


class TaskConflict(RuntimeError):
    """Another task that must run alone is active (HTTP 409)."""

    def __init__(self, running_task_id: str, running_task_type: str) -> None:
        super().__init__(f"A {running_task_type} task is already running ({running_task_id}); wait or cancel it.")
        self.running_task_id = running_task_id


class TaskNotFound(LookupError):
    """No task has that id (HTTP 404)."""


class TaskNotActive(ValueError):
    """The task already finished, so it cannot be cancelled (HTTP 400)."""


DOMAIN_ERROR_STATUS[TaskConflict] = status.HTTP_409_CONFLICT
DOMAIN_ERROR_STATUS[TaskNotFound] = status.HTTP_404_NOT_FOUND
DOMAIN_ERROR_STATUS[TaskNotActive] = status.HTTP_400_BAD_REQUEST


class JobFailed(RuntimeError):
    """Raised by a job's plan, work-item or finish function: the whole run fails with this message."""
