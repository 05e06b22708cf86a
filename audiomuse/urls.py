"""URL routes. AudioMuse-AI compatible API routes have no trailing slash."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from analysis import api as analysis_api
from audiomuse.api import views as api_views
from scheduling import api as scheduling_api

urlpatterns = [
    path("", include("audiomuse.page_urls")),
    path("login", auth_views.LoginView.as_view(), name="login"),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/health", api_views.health, name="health"),
    path("api/analysis/start", analysis_api.analysis_start, name="analysis-start"),
    path("api/cleaning/start", analysis_api.cleaning_start, name="cleaning-start"),
    path("api/status/<str:task_id>", scheduling_api.task_status, name="task-status"),
    path("api/cancel/<str:task_id>", scheduling_api.task_cancel, name="task-cancel"),
    path("api/cancel_all/<str:task_type>", scheduling_api.task_cancel_all, name="task-cancel-all"),
    path("api/last_task", scheduling_api.last_task, name="last-task"),
    path("api/active_tasks", scheduling_api.active_tasks, name="active-tasks"),
    path("", include("similarity.urls")),
    path("", include("clustering.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/schema/swagger-ui/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

handler404 = "audiomuse.api.errors.json_not_found"
handler500 = "audiomuse.api.errors.json_server_error"
