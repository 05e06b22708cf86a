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
