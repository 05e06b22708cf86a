from django.contrib import admin

from scheduling.models import TaskStatus


@admin.register(TaskStatus)
class TaskStatusAdmin(admin.ModelAdmin):
    list_display = ("task_id", "task_type", "sub_type_identifier", "status", "progress", "created_at", "finished_at")
    list_filter = ("status", "task_type")
    search_fields = ("task_id", "sub_type_identifier", "parent__task_id")
    readonly_fields = ("created_at", "updated_at", "started_at", "finished_at")
    raw_id_fields = ("parent",)
    date_hierarchy = "created_at"
