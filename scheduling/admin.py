import contextlib

from django.contrib import admin, messages

from scheduling import services
from scheduling.errors import TaskNotActive, TaskNotFound
from scheduling.models import ACTIVE_STATES, TERMINAL_STATES, TaskStatus, WorkItem


@admin.register(TaskStatus)
class TaskStatusAdmin(admin.ModelAdmin):
    list_display = ("task_id", "task_type", "sub_type_identifier", "status", "progress", "created_at", "finished_at")
    list_filter = ("status", "task_type")
    search_fields = ("task_id", "sub_type_identifier", "parent__task_id")
    readonly_fields = ("created_at", "updated_at", "started_at", "finished_at")
    raw_id_fields = ("parent",)
    date_hierarchy = "created_at"
    actions = ["revoke_tasks"]

    @admin.action(description="Revoke (cancel) the selected active tasks", permissions=["change"])
    def revoke_tasks(self, request, queryset):
        """Cancel like POST /api/cancel does: the task and its active sub-tasks, cooperatively."""
        selected_active = list(queryset.filter(status__in=ACTIVE_STATES).values_list("task_id", flat=True))
        if not selected_active:
            self.message_user(request, "None of the selected tasks is active; nothing revoked.", messages.WARNING)
            return
        revoked = 0
        for task_id in selected_active:
            # A task may have ended meanwhile, or been cancelled a moment ago with its selected parent.
            with contextlib.suppress(TaskNotActive, TaskNotFound):
                revoked += services.task_cancel(task_id=task_id)
        self.message_user(request, f"Revoked {revoked} task(s), sub-tasks included.", messages.SUCCESS)


@admin.register(WorkItem)
class WorkItemAdmin(admin.ModelAdmin):
    """Read-only: a job's run owns its items, and an edited score or result would mislead it."""

    list_display = ("label_or_key", "run", "position", "status", "best_score", "started_at", "finished_at")
    list_filter = ("run__task_type", "child__status", "run__status")
    search_fields = ("key", "label", "run__task_id", "child__task_id")
    list_select_related = ("run", "child")
    ordering = ("-run__created_at", "position")
    exclude = ("artifact",)  # e.g. every track id of the best clusters: too long to show

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Only with their run, once it has ended: deleting an old task cascades here,
        # while a running job still needs its items.
        return obj is not None and obj.run.status in TERMINAL_STATES and super().has_delete_permission(request, obj)

    @admin.display(description="item", ordering="key")
    def label_or_key(self, item: WorkItem) -> str:
        return item.label or item.key

    @admin.display(description="task", ordering="child__status")
    def status(self, item: WorkItem) -> str:
        return item.child.status if item.child else "not launched"

    @admin.display(description="best score", ordering="score")
    def best_score(self, item: WorkItem) -> str:
        return "-" if item.score is None else f"{item.score:.3f}"

    @admin.display(description="started", ordering="child__started_at")
    def started_at(self, item: WorkItem):
        return item.child.started_at if item.child else None
