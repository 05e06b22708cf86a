"""Writes to task status rows. Every state change of a task goes through here."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from scheduling.models import TERMINAL_STATES, TaskState, TaskStatus


def task_status_create(
    *,
    task_id: str,
    task_type: str,
    parent_task_id: str | None = None,
    sub_type_identifier: str = "",
    status_message: str = "Queued",
) -> TaskStatus:
    """Record a task before it is sent to the broker, so its status is never unknown."""
    task, _ = TaskStatus.objects.get_or_create(
        task_id=task_id,
        defaults={
            "task_type": task_type,
            "parent_id": parent_task_id,
            "sub_type_identifier": sub_type_identifier,
            "details": {"status_message": status_message, "log": [_stamp(status_message)]},
        },
    )
    return task


def task_status_start(*, task_id: str, task_type: str, parent_task_id: str | None = None) -> TaskStatus:
    """Mark a task STARTED (creating its row if the sender did not)."""
    with transaction.atomic():
        task = task_status_create(task_id=task_id, task_type=task_type, parent_task_id=parent_task_id)
        task = TaskStatus.objects.select_for_update().get(pk=task.pk)
        if task.status in TERMINAL_STATES:
            return task  # cancelled while queued: the task body checks and returns
        task.status = TaskState.STARTED
        task.started_at = task.started_at or timezone.now()
        _append_log(task, "Started")
        task.save()
    return task


def task_status_update(
    *,
    task_id: str,
    status_message: str | None = None,
    progress: int | None = None,
    counters: dict | None = None,
) -> TaskStatus:
    """Report progress: a log line, a percentage and task-specific counters."""
    with transaction.atomic():
        task = TaskStatus.objects.select_for_update().get(task_id=task_id)
        if task.status in TERMINAL_STATES:
            return task
        task.status = TaskState.PROGRESS
        if progress is not None:
            task.progress = max(0, min(100, int(progress)))
        if counters:
            task.details.update(counters)
        if status_message:
            _append_log(task, status_message)
        task.save()
    return task


def task_status_finish(
    *, task_id: str, state: str = TaskState.SUCCESS, status_message: str = "Finished", counters: dict | None = None
) -> TaskStatus:
    """Put a task in a terminal state; a task already terminal keeps its state."""
    with transaction.atomic():
        task = TaskStatus.objects.select_for_update().get(task_id=task_id)
        if task.status in TERMINAL_STATES:
            return task
        task.status = state
        if state == TaskState.SUCCESS:
            task.progress = 100
        if counters:
            task.details.update(counters)
        task.finished_at = timezone.now()
        _append_log(task, status_message)
        task.save()
    return task


def _append_log(task: TaskStatus, message: str) -> None:
    """Add a timestamped line, keeping only the last TASK_LOG_MAX_LINES."""
    details = task.details if isinstance(task.details, dict) else {}
    log = list(details.get("log", []))
    log.append(_stamp(message))
    details["log"] = log[-settings.TASK_LOG_MAX_LINES :]
    details["status_message"] = message
    task.details = details


def _stamp(message: str) -> str:
    return f"[{timezone.now().strftime('%Y-%m-%d %H:%M:%S')}] {message}"
