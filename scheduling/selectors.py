"""Reads of task status rows."""

from __future__ import annotations

from django.utils import timezone

from scheduling.models import TaskStatus


def task_status_get(*, task_id: str) -> TaskStatus | None:
    return TaskStatus.objects.filter(task_id=task_id).first()


def task_running_time_seconds(task: TaskStatus) -> float:
    """Seconds from start to finish, or to now while running; 0 before it starts."""
    if task.started_at is None:
        return 0.0
    end = task.finished_at or timezone.now()
    return round((end - task.started_at).total_seconds(), 1)
