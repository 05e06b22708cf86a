"""Task routes (AudioMuse-AI compatible, no trailing slashes)."""

from django.urls import path

from scheduling import api

urlpatterns = [
    path("api/status/<str:task_id>", api.task_status, name="task-status"),
    path("api/cancel/<str:task_id>", api.task_cancel, name="task-cancel"),
    path("api/cancel_all/<str:task_type>", api.task_cancel_all, name="task-cancel-all"),
    path("api/last_task", api.last_task, name="last-task"),
    path("api/active_tasks", api.active_tasks, name="active-tasks"),
]
