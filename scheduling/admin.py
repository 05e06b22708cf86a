import contextlib

from django.contrib import admin, messages

from scheduling import services
from scheduling.errors import TaskNotActive, TaskNotFound
from scheduling.models import ACTIVE_STATES, TaskStatus


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
