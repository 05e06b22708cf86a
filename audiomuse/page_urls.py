"""Server-rendered pages (login required); the API routes live in audiomuse/urls.py."""

from django.urls import path

from audiomuse import views
from mediaservers import views as mediaserver_views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cleaning", views.cleaning, name="cleaning"),
    path("mediaserver", mediaserver_views.mediaserver, name="mediaserver"),
]
