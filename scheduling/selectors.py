"""Reads of task status rows."""

from __future__ import annotations

from django.utils import timezone

from scheduling.models import TERMINAL_STATES, TaskStatus


def task_status_get(*, task_id: str) -> TaskStatus | None:
    return TaskStatus.objects.filter(task_id=task_id).first()


def any_task_ended(*task_ids: str) -> bool:
    """True when any of these tasks has ended (done, failed or cancelled).

    The cooperative cancel check: a child task asks it about itself and its parent
    between units of work, and stops when either has ended.
    """
    return TaskStatus.objects.filter(task_id__in=task_ids, status__in=TERMINAL_STATES).exists()


def task_running_time_seconds(task: TaskStatus) -> float:
    """Seconds from start to finish, or to now while running; 0 before it starts."""
    if task.started_at is None:
        return 0.0
    end = task.finished_at or timezone.now()
    return round((end - task.started_at).total_seconds(), 1)


MAIN_TASK_TYPES = ("main_analysis", "main_clustering", "cleaning")


def task_status_payload(task: TaskStatus) -> dict:
    """A task as the AudioMuse-AI status API shows it."""
    details = dict(task.details or {})
    details.setdefault("log", [])
    details.setdefault("status_message", "")
    return {
        "task_id": task.task_id,
        "parent_task_id": task.parent_id,
        "task_type": task.task_type,
        "sub_type_identifier": task.sub_type_identifier or None,
        "status": task.status,
        "state": task.status,
        "status_message": details["status_message"],
        "progress": task.progress,
        "details": details,
        "running_time_seconds": task_running_time_seconds(task),
        "task_type_from_db": task.task_type,
    }


def last_main_task() -> TaskStatus | None:
    return TaskStatus.objects.filter(parent__isnull=True, task_type__in=MAIN_TASK_TYPES).order_by("-created_at").first()


def active_main_task() -> TaskStatus | None:
    from scheduling.models import ACTIVE_STATES

    return (
        TaskStatus.objects.filter(parent__isnull=True, task_type__in=MAIN_TASK_TYPES, status__in=ACTIVE_STATES)
        .order_by("-created_at")
        .first()
    )
