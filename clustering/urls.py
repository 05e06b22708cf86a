"""Clustering routes (AudioMuse-AI compatible, no trailing slashes)."""

from django.urls import path

from clustering import api

urlpatterns = [
    path("api/clustering/start", api.clustering_start, name="clustering-start"),
    path("api/playlists", api.playlists, name="playlists"),
    path("api/config", api.config_defaults, name="config"),
]
