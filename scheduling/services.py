"""Writes to task status rows. Every state change of a task goes through here."""

from __future__ import annotations

from celery import current_app
from django.db import transaction
from django.utils import timezone

from common.config import setting
from scheduling import registry
from scheduling.errors import TaskConflict, TaskNotActive, TaskNotFound
from scheduling.models import ACTIVE_STATES, TERMINAL_STATES, TaskState, TaskStatus, WorkItem


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
    details["log"] = log[-setting("TASK_LOG_MAX_LINES") :]
    details["status_message"] = message
    task.details = details


def _stamp(message: str) -> str:
    return f"[{timezone.now().strftime('%Y-%m-%d %H:%M:%S')}] {message}"


# Main tasks registered as exclusive must never overlap: they rewrite the same tracks and playlists.
_EXCLUSIVE_LOCK_KEY = 0x41554D55  # any constant; namespaces our advisory lock


def task_status_claim_exclusive(*, task_id: str, task_type: str, status_message: str = "Queued") -> TaskStatus:
    """Record a new main task, unless another exclusive task is active (TaskConflict).

    A transaction-scoped advisory lock serialises concurrent starts, so two
    clicks at once still give exactly one task and one 409.
    """
    from django.db import connection

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_EXCLUSIVE_LOCK_KEY])
        running = (
            TaskStatus.objects.filter(
                parent__isnull=True, task_type__in=registry.exclusive_task_types(), status__in=ACTIVE_STATES
            )
            .order_by("created_at")
            .first()
        )
        if running is not None:
            raise TaskConflict(running.task_id, running.task_type)
        return task_status_create(task_id=task_id, task_type=task_type, status_message=status_message)


def task_cancel(*, task_id: str) -> int:
    """Cancel a task and every active descendant; returns how many were cancelled.

    Cancellation is cooperative: rows go REVOKED at once, running children see
    it between tracks and stop; queued ones are also revoked in Celery so no
    worker starts them.
    """
    with transaction.atomic():
        task = TaskStatus.objects.select_for_update().filter(task_id=task_id).first()
        if task is None:
            raise TaskNotFound(f"No task with id {task_id}")
        if task.status in TERMINAL_STATES:
            raise TaskNotActive(f"Task {task_id} already ended ({task.status})")
        ids = [task_id, *_active_descendant_ids(task_id)]
        for each in ids:
            task_status_finish(task_id=each, state=TaskState.REVOKED, status_message="Cancelled by user")
    transaction.on_commit(lambda: tasks_revoke_in_celery(ids))
    return len(ids)


def task_cancel_all(*, task_type: str) -> list[str]:
    """Cancel every active main task of ``task_type``; returns their ids."""
    ids = list(
        TaskStatus.objects.filter(parent__isnull=True, task_type=task_type, status__in=ACTIVE_STATES).values_list(
            "task_id", flat=True
        )
    )
    for task_id in ids:
        task_cancel(task_id=task_id)
    return ids


def _active_descendant_ids(task_id: str) -> list[str]:
    """Active tasks anywhere below ``task_id`` (children, grandchildren, ...)."""
    active: list[str] = []
    frontier = [task_id]
    while frontier:
        rows = list(TaskStatus.objects.filter(parent_id__in=frontier).values_list("task_id", "status"))
        active.extend(child for child, state in rows if state in ACTIVE_STATES)
        frontier = [child for child, _ in rows]
    return active


def tasks_revoke_in_celery(task_ids: list[str]) -> None:
    """Tell the workers not to start these tasks (running ones stop at their next cancel check)."""
    current_app.control.revoke(task_ids)


def work_item_result_save(*, item_id: int, result: dict, score: float | None = None, artifact=None) -> None:
    """Store a work item's output; ``artifact`` (needs a score) is kept only on the run's best-scoring item.

    The run's items are locked together, in one order, so two items saving at once
    never drop each other's artifact; ties go to the lower id.
    """
    run_id = WorkItem.objects.values_list("run_id", flat=True).get(pk=item_id)
    with transaction.atomic():
        items = {each.pk: each for each in WorkItem.objects.select_for_update().filter(run_id=run_id).order_by("pk")}
        item = items[item_id]
        item.score, item.result, item.finished_at = score, result, timezone.now()
        item.artifact = artifact if score is not None else None
        contenders = [each for each in items.values() if each.artifact is not None and each.score is not None]
        best = max(contenders, key=lambda each: (each.score, -each.pk), default=None)
        for each in contenders:
            if each is not best and each is not item:
                each.artifact = None
                each.save(update_fields=["artifact"])
        if best is not item:
            item.artifact = None
        item.save(update_fields=["score", "result", "artifact", "finished_at"])
