"""Server-rendered pages (login required); the API routes live in audiomuse/urls.py."""

from django.urls import path

from audiomuse import views
from mediaservers import views as mediaserver_views
from similarity import views as similarity_views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cleaning", views.cleaning, name="cleaning"),
    path("mediaserver", mediaserver_views.mediaserver, name="mediaserver"),
    path("similar", similarity_views.similar_song, name="similar-song"),
    path("path", similarity_views.song_path, name="song-path"),
    path("alchemy", similarity_views.alchemy, name="song-alchemy"),
    path("fingerprint", similarity_views.sonic_fingerprint, name="fingerprint"),
]
