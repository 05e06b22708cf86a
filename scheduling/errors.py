"""Task errors. The API maps them to HTTP statuses in ``audiomuse.api.errors``."""


class TaskError(Exception):
    """Base class; ``retryable`` tells a job whether trying the same thing later may help."""

    retryable = False


class TaskConflict(TaskError):
    """Another task that must run alone is active (HTTP 409); it may be started once that one ends."""

    retryable = True

    def __init__(self, running_task_id: str, running_task_type: str) -> None:
        super().__init__(f"A {running_task_type} task is already running ({running_task_id}); wait or cancel it.")
        self.running_task_id = running_task_id


class TaskNotFound(TaskError):
    """No task has that id (HTTP 404)."""


class TaskNotActive(TaskError):
    """The task already finished, so it cannot be cancelled (HTTP 400)."""


def retryable(error: BaseException) -> bool:
    """Whether a job may try again after ``error``.

    Domain errors say so with their ``retryable`` attribute; any other error is
    unexpected (a lost connection, a crash) and may well pass, so it may be retried.
    """
    return getattr(error, "retryable", True)


class JobFailed(TaskError):
    """Raised by a job's plan, work-item or finish function: the whole run fails with this message."""

    retryable = False
