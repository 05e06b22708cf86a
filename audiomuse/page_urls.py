"""Server-rendered pages (login required); the API routes live in audiomuse/urls.py."""

from django.urls import path

from audiomuse import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
