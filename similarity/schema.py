"""OpenAPI shapes of the similarity answers, so schema-driven tests check the bodies clients read."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse

_TEXT = {"type": "string"}
_NUMBER = {"type": "number"}
_NULLABLE_TEXT = {"type": "string", "nullable": True}


def _object(properties: dict, *, required: tuple[str, ...] | None = None) -> dict:
    return {"type": "object", "properties": properties, "required": list(required or properties)}


TRACK_SUMMARY = _object({name: _TEXT for name in ("item_id", "title", "author", "album", "album_artist")})
SONG_ROW = _object(
    {
        **TRACK_SUMMARY["properties"],
        "distance": _NUMBER,
        "mood_vector": _TEXT,
        "other_features": _TEXT,
        "top_genre": _NULLABLE_TEXT,
        "top_mood": _NULLABLE_TEXT,
    },
    required=("item_id", "title", "author", "album", "album_artist", "distance", "mood_vector", "other_features"),
)
ARTIST = _object({"artist": _TEXT, "artist_id": _TEXT, "track_count": {"type": "integer"}})
_SONG_REFS = {"type": "array", "items": _object({"item_id": _TEXT, "title": _TEXT})}
SIMILAR_ARTIST = _object(
    {
        "artist": _TEXT,
        "artist_id": _TEXT,
        "divergence": _NUMBER,
        "component_matches": {
            "type": "array",
            "items": _object(
                {
                    "artist1_representative_songs": _SONG_REFS,
                    "artist2_representative_songs": _SONG_REFS,
                    "component1_index": {"type": "integer"},
                    "component2_index": {"type": "integer"},
                    "distance": _NUMBER,
                }
            ),
        },
    },
    required=("artist", "artist_id", "divergence"),
)


def rows(schema: dict, description: str) -> OpenApiResponse:
    return OpenApiResponse(response={"type": "array", "items": schema}, description=description)


SONG_ROWS = rows(SONG_ROW, "Bare array of song rows")
TRACK_SUMMARIES = rows(TRACK_SUMMARY, "[{item_id, title, author, album, album_artist}]")
ARTISTS = rows(ARTIST, "[{artist, artist_id, track_count}]")
SIMILAR_ARTISTS = rows(SIMILAR_ARTIST, "[{artist, artist_id, divergence, component_matches?}], least divergent first")
MOOD_CENTROIDS = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {
            "type": "array",
            "items": _object(
                {
                    "index": {"type": "integer"},
                    "cluster_id": {"type": "integer"},
                    "top_tags": {"type": "array", "items": _TEXT},
                    "n_songs": {"type": "integer"},
                    "mood_score": _NUMBER,
                }
            ),
        },
    },
    description="{mood: [{index, cluster_id, top_tags, n_songs, mood_score}]}",
)
TRACK = OpenApiResponse(response=TRACK_SUMMARY, description="{item_id, title, author, album, album_artist}")
MAX_DISTANCE = OpenApiResponse(
    response=_object({"max_distance": _NUMBER, "farthest_item_id": _TEXT}),
    description="{max_distance, farthest_item_id}",
)
PATH = OpenApiResponse(
    response=_object({"path": {"type": "array", "items": SONG_ROW}, "total_distance": _NUMBER}),
    description="{path: [row...], total_distance}",
)

ALCHEMY_REQUEST = {
    "type": "object",
    "properties": {
        "items": {
            "type": "array",
            "items": _object(
                {
                    "id": _TEXT,
                    "op": {"type": "string", "enum": ["ADD", "SUBTRACT"]},
                    "type": {"type": "string", "enum": ["song", "artist"]},
                },
                required=("id",),
            ),
        },
        "n": {"type": "integer"},
        "temperature": _NUMBER,
        "subtract_distance": _NUMBER,
        "seed": {"type": "integer"},
        "preview": {"type": "boolean", "description": "Accepted; every answer already carries the 2-D picture"},
    },
    "required": ["items"],
}
CREATE_PLAYLIST_REQUEST = {
    "type": "object",
    "properties": {
        "playlist_name": _TEXT,
        "track_ids": {"type": "array", "items": _TEXT},
        "user_creds": {"type": "object", "additionalProperties": _TEXT},
    },
    "required": ["playlist_name", "track_ids"],
}
CREATED_PLAYLIST = OpenApiResponse(
    response=_object(
        {"message": _TEXT, "playlist_id": _TEXT, "mapped": {"type": "integer"}, "skipped": {"type": "integer"}}
    ),
    description="{message, playlist_id, mapped, skipped}",
)

_INTEGER = {"type": "integer"}
_BOOLEAN = {"type": "boolean"}
HYPERBOLIC_REQUEST = _object(
    {
        "item_id": _TEXT,
        "mode": {"type": "string", "enum": ["similar", "roots", "niche"]},
        "limit": _INTEGER,
        "radial_spread": _NUMBER,
    },
    required=("item_id",),
)
HYPERBOLIC_SONG_ROW = _object(
    {**SONG_ROW["properties"], "hyperbolic_radius": _NUMBER},
    required=(*SONG_ROW["required"], "hyperbolic_radius"),
)
HYPERBOLIC_SIMILAR = OpenApiResponse(
    response=_object(
        {
            "results": {"type": "array", "items": HYPERBOLIC_SONG_ROW},
            "count": _INTEGER,
            "mode": _TEXT,
            "seed_radius": _NUMBER,
            "seed_item_id": _TEXT,
            "radial_spread": _NUMBER,
        }
    ),
    description="{results: [song row + hyperbolic_radius; distance is the Poincaré distance], count, mode, "
    "seed_radius, seed_item_id, radial_spread}",
)
_TREE_ITEM = _object(
    {"id": _TEXT, "name": _TEXT, "type": {"type": "string", "enum": ["folder", "track"]}, "children_count": _INTEGER},
)
HYPERBOLIC_TREE = OpenApiResponse(
    response=_object({"node": _object({**_TREE_ITEM["properties"], "items": {"type": "array", "items": _TREE_ITEM}})}),
    description="{node: {id, name, type, children_count, items: [{id, name, type, children_count, item_id, ...}]}}",
)
HYPERBOLIC_WARMUP = OpenApiResponse(
    response=_object({"loaded": _BOOLEAN, "expiry_seconds": _INTEGER}), description="{loaded, expiry_seconds}"
)
HYPERBOLIC_WARMUP_STATUS = OpenApiResponse(
    response=_object({"active": _BOOLEAN, "seconds_remaining": _INTEGER}), description="{active, seconds_remaining}"
)
HYPERBOLIC_CACHE_STATUS = OpenApiResponse(
    response=_object(
        {
            "ok": _BOOLEAN,
            "n_bands": {"type": "integer", "nullable": True},
            "node_count": _INTEGER,
            "track_count": _INTEGER,
            "reason": _TEXT,
        },
        required=("ok", "n_bands", "node_count", "track_count"),
    ),
    description="{ok, n_bands, node_count, track_count, reason?}",
)
SEM_GROVE_REQUEST = _object({"item_id": _TEXT, "limit": _INTEGER}, required=("item_id",))
SEM_GROVE = OpenApiResponse(
    response=_object(
        {
            "results": {
                "type": "array",
                "items": _object(
                    {**SONG_ROW["properties"], "similarity": _NUMBER, "is_seed": _BOOLEAN},
                    required=(*SONG_ROW["required"], "similarity", "is_seed"),
                ),
            },
            "count": _INTEGER,
        }
    ),
    description="{results: [song row + similarity (1 - cosine distance), is_seed; the seed first], count}",
)


# -- the library as a whole, servers, lyrics -----------------------------------------------------

_NULLABLE_INTEGER = {"type": "integer", "nullable": True}
_NULLABLE_NUMBER = {"type": "number", "nullable": True}
_LABEL_COUNTS = {"type": "array", "items": _object({"label": _TEXT, "count": _INTEGER}, required=("label", "count"))}
DASHBOARD_SUMMARY = OpenApiResponse(
    response=_object(
        {
            "generated_at": _TEXT,
            "stats_updated_at": _TEXT,
            "content": _object(
                {
                    **{
                        name: _INTEGER
                        for name in (
                            "total_songs", "distinct_artists", "distinct_albums", "known_songs", "analysed_songs",
                            "embedded_songs", "unanalyzable_tracks", "clap_indexed",
                        )
                    },
                    "moods_coverage": _LABEL_COUNTS,
                    "top_genre": _LABEL_COUNTS,
                    "tempo_profile": {"type": "object"},
                }
            ),
            "recent_tasks": {"type": "array", "items": {"type": "object"}},
            "workers": {"type": "array", "items": {"type": "object"}},
            "queue_backlog": {"type": "array", "items": {"type": "object"}},
            "cron": {"type": "array", "items": {"type": "object"}},
        }
    ),
    description="{generated_at, stats_updated_at, content: {total_songs, distinct_artists, ...}, recent_tasks, ...}",
)  # fmt: skip
SYNC_TRACK = _object(
    {
        "id": _TEXT,
        "fp": _TEXT,
        "title": _TEXT,
        "artist": _TEXT,
        "album_artist": _TEXT,
        "album": _TEXT,
        "year": _NULLABLE_INTEGER,
        "duration": _NULLABLE_NUMBER,
        "tempo": _NULLABLE_NUMBER,
        "key": _TEXT,
        "scale": _TEXT,
        "energy": _NULLABLE_NUMBER,
        "mood_vector": _TEXT,
        "other_features": _TEXT,
        "rating": _NULLABLE_NUMBER,
        "umap_x": _NULLABLE_NUMBER,
        "umap_y": _NULLABLE_NUMBER,
        "embedding": _NULLABLE_TEXT,
    },
    required=("id", "fp"),
)
SYNC_PAGE = OpenApiResponse(
    response=_object(
        {
            "tracks": {"type": "array", "items": SYNC_TRACK},
            "total_tracks": _INTEGER,
            "provider_type": _TEXT,
            "has_more": {"type": "boolean"},
            "next_page": _NULLABLE_INTEGER,
        }
    ),
    description="{tracks: [{id, title, artist, ..., fp, embedding?}], total_tracks, has_more, next_page, ...}",
)
SERVERS = OpenApiResponse(
    response=_object(
        {
            "servers": {
                "type": "array",
                "items": _object(
                    {
                        "server_id": _TEXT,
                        "name": _TEXT,
                        "server_type": _TEXT,
                        "music_libraries": {"type": "array", "items": _TEXT},
                        "is_default": {"type": "boolean"},
                    }
                ),
            },
            "default_id": _TEXT,
            "multi_server_enabled": {"type": "boolean"},
        }
    ),
    description="{servers: [{server_id, name, server_type, music_libraries, is_default}], default_id}",
)
SERVER_DEFAULTS = OpenApiResponse(
    response=_object(
        {"server_type": _TEXT, "default_user_id": _TEXT, "default_user": _TEXT}, required=("server_type",)
    ),
    description="{server_type, default_user_id (Jellyfin, Emby) or default_user (Navidrome)}",
)
LYRICS_REFUSAL = _object({"error": _TEXT, "results": {"type": "array", "items": {}}}, required=("error",))
LYRICS_STATS = OpenApiResponse(
    response=_object(
        {
            "lyrics_enabled": {"type": "boolean"},
            "loaded": {"type": "boolean"},
            "index_loaded": {"type": "boolean"},
            "axis_loaded": {"type": "boolean"},
            "song_count": _INTEGER,
        }
    ),
    description="{lyrics_enabled: false, loaded, song_count}",
)
