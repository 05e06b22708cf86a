"""The media server page (staff)."""

from django.urls import path

from mediaservers import views

urlpatterns = [
    path("mediaserver", views.mediaserver, name="mediaserver"),
]
