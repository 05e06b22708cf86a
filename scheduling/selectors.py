"""Reads of task status rows."""

from __future__ import annotations

from django.db.models import IntegerField, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from scheduling import registry
from scheduling.models import ACTIVE_STATES, TERMINAL_STATES, TaskStatus, WorkItem


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


def task_status_payload_or_none(task: TaskStatus | None) -> dict | None:
    """``task_status_payload`` of a task that may not exist (a page's initial task panel)."""
    return task_status_payload(task) if task is not None else None


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
    return (
        TaskStatus.objects.filter(parent__isnull=True, task_type__in=registry.main_task_types())
        .order_by("-created_at")
        .first()
    )


def recent_top_level_tasks(*, limit: int) -> list[TaskStatus]:
    """The latest tasks that no other task started, newest first."""
    return list(TaskStatus.objects.filter(parent__isnull=True).order_by("-created_at")[:limit])


def active_main_task() -> TaskStatus | None:
    return (
        TaskStatus.objects.filter(
            parent__isnull=True, task_type__in=registry.main_task_types(), status__in=ACTIVE_STATES
        )
        .order_by("-created_at")
        .first()
    )


def work_items_finished(*, run_id: str) -> list[WorkItem]:
    """The run's items whose result is stored, in plan order."""
    return list(WorkItem.objects.filter(run_id=run_id, finished_at__isnull=False).order_by("position"))


def work_item_best(*, run_id: str) -> WorkItem | None:
    """The run's best-scoring item that still holds its artifact."""
    return WorkItem.objects.filter(run_id=run_id, artifact__isnull=False).order_by("-score", "pk").first()


def work_item_count(*, run_id: str) -> int:
    return WorkItem.objects.filter(run_id=run_id).count()


def children_counters_sum(*, run_id: str, names: tuple[str, ...]) -> dict[str, int]:
    """The run's children's numeric counters (in their details), summed per name."""
    totals = TaskStatus.objects.filter(parent_id=run_id).aggregate(
        **{name: Sum(Cast(KeyTextTransform(name, "details"), IntegerField())) for name in names}
    )
    return {name: totals[name] or 0 for name in names}
