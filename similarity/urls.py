"""Similarity routes (AudioMuse-AI compatible, no trailing slashes) and the four similarity pages."""

from django.urls import path

from similarity import api, api_artists, views

urlpatterns = [
    path("api/search_tracks", api.search_tracks, name="search-tracks"),
    path("api/search_artists", api.search_artists, name="search-artists"),
    path("api/track", api.track, name="track"),
    path("api/similar_tracks", api.similar, name="similar-tracks"),
    path("api/mood_centroids", api.mood_centroids, name="mood-centroids"),
    path("api/similar_artists", api_artists.similar_artists, name="similar-artists"),
    path("api/max_distance", api.max_distance, name="max-distance"),
    path("api/find_path", api.path, name="find-path"),
    path("api/alchemy", api.alchemy, name="alchemy"),
    path("api/sonic_fingerprint/generate", api.fingerprint, name="sonic-fingerprint"),
    path("api/create_playlist", api.create_playlist, name="create-playlist"),
    path("external/get_score", api.external_score, name="external-score"),
    path("external/get_embedding", api.external_embedding, name="external-embedding"),
    path("external/search", api.external_search, name="external-search"),
    path("similar", views.similar_song, name="similar-song"),
    path("path", views.song_path, name="song-path"),
    path("alchemy", views.alchemy, name="song-alchemy"),
    path("fingerprint", views.sonic_fingerprint, name="fingerprint"),
]
