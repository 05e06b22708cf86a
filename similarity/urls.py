"""Similarity routes (AudioMuse-AI compatible, no trailing slashes) and the four similarity pages."""

from django.urls import path

from similarity import api, api_artists, api_hyperbolic, api_library, api_lyrics, api_servers, views

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
    path("api/hyperbolic/similar", api_hyperbolic.hyperbolic_similar_songs, name="hyperbolic-similar"),
    path("api/hyperbolic/tree", api_hyperbolic.hyperbolic_tree, name="hyperbolic-tree"),
    path("api/hyperbolic/warmup", api_hyperbolic.hyperbolic_warmup, name="hyperbolic-warmup"),
    path("api/hyperbolic/warmup/status", api_hyperbolic.hyperbolic_warmup_status, name="hyperbolic-warmup-status"),
    path("api/hyperbolic/cache_status", api_hyperbolic.hyperbolic_cache_status, name="hyperbolic-cache-status"),
    path("api/sem_grove/search", api_hyperbolic.sem_grove, name="sem-grove-search"),
    path("api/dashboard/summary", api_library.dashboard_summary, name="dashboard-summary"),
    path("api/sync", api_library.sync, name="sync"),
    path("api/servers", api_servers.servers, name="servers"),
    path("api/config/defaults", api_servers.media_server_defaults, name="media-server-defaults"),
    path("api/lyrics/search/text", api_lyrics.lyrics_search_text, name="lyrics-search-text"),
    path("api/lyrics/stats", api_lyrics.lyrics_stats, name="lyrics-stats"),
    path("external/get_score", api.external_score, name="external-score"),
    path("external/get_embedding", api.external_embedding, name="external-embedding"),
    path("external/search", api.external_search, name="external-search"),
    path("similar", views.similar_song, name="similar-song"),
    path("path", views.song_path, name="song-path"),
    path("alchemy", views.alchemy, name="song-alchemy"),
    path("fingerprint", views.sonic_fingerprint, name="fingerprint"),
]
