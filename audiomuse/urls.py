"""Every route of the product, in one place: each app's routes, plus the dashboard, login, admin and schema.

AudioMuse-AI compatible API routes have no trailing slash.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from audiomuse import views
from audiomuse.api import views as api_views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login", auth_views.LoginView.as_view(), name="login"),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/health", api_views.health, name="health"),
    path("", include("analysis.urls")),
    path("", include("scheduling.urls")),
    path("", include("mediaservers.urls")),
    path("", include("similarity.urls")),
    path("", include("clustering.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/schema/swagger-ui/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

handler404 = "audiomuse.api.errors.json_not_found"
handler500 = "audiomuse.api.errors.json_server_error"
