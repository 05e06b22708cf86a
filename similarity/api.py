"""Similarity routes, as AudioMuse-AI clients call them (see docs/API.md): loose inputs, exact field names."""

from __future__ import annotations

import numpy as np
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from common.api.params import bool_param, float_param, int_param, request_data, text_param
from playlists.models import PlaylistOrigin
from similarity import schema, selectors, services
from similarity.alchemy import MAX_ALCHEMY_ITEMS, AlchemyItem, AlchemyResult, run_alchemy
from similarity.config import (
    MAX_FINGERPRINT_RESULTS,
    MAX_PATH_LENGTH,
    MAX_SIMILAR_RESULTS,
    SEARCH_MAX_PAGE,
    SEARCH_PAGE_SIZE,
    similarity_config,
)
from similarity.errors import InvalidSimilarityRequest, NothingFound, TrackNotFound
from similarity.fingerprint import sonic_fingerprint
from similarity.library import SongLibrary
from similarity.media import user_credentials
from similarity.moods import MOODS, current_moods, mood_centroid
from similarity.path import find_path, mood_endpoint
from similarity.similar import (
    SimilarRequest,
    farthest_track,
    resolve_item_id,
    similar_to_centroid,
    similar_tracks,
)

ERROR = OpenApiResponse(description='{"error": ...}')
NO_INDEX = OpenApiResponse(description="The similarity index is not built yet")


def _text(params, name: str) -> str:
    return text_param(params.get(name))


def _required_id(params, name: str) -> str:
    """One rule on every route: a required id that is missing or empty is a 400; one that matches nothing, a 404."""
    item_id = _text(params, name)
    if not item_id:
        raise InvalidSimilarityRequest(f"Provide {name}")
    return item_id


# -- search ------------------------------------------------------------------------------------


# search_tracks' ``index``: which space the songs are searched for. Without lyrics the SemGrove
# space is the audio one, so both hold every analysed track and search alike.
SEARCH_INDEXES = ("musicnn", "sem_grove")


@extend_schema(
    parameters=[OpenApiParameter(name, str) for name in ("search_query", "title", "artist")]
    + [OpenApiParameter("start", int), OpenApiParameter("end", int)]
    + [OpenApiParameter("index", str, enum=list(SEARCH_INDEXES), description="musicnn (default) or sem_grove")],
    responses={200: schema.TRACK_SUMMARIES, 400: ERROR},
)
@api_view(["GET"])
def search_tracks(request):
    index = _text(request.query_params, "index").lower() or SEARCH_INDEXES[0]
    if index not in SEARCH_INDEXES:
        raise InvalidSimilarityRequest(f"Unknown index {index!r}: use {' or '.join(SEARCH_INDEXES)}")
    return Response(_track_search(request.query_params))


def _track_search(params) -> list[dict]:
    start = int_param(params.get("start"), 0, minimum=0)
    end = int_param(params.get("end"), start + SEARCH_PAGE_SIZE, minimum=start, maximum=start + SEARCH_MAX_PAGE)
    return selectors.track_search(
        query=_text(params, "search_query"),
        title=_text(params, "title"),
        artist=_text(params, "artist"),
        start=start,
        end=end,
    )


@extend_schema(
    parameters=[OpenApiParameter("query", str)] + [OpenApiParameter(name, int) for name in ("limit", "start", "end")],
    responses={200: schema.ARTISTS},
)
@api_view(["GET"])
def search_artists(request):
    params = request.query_params
    start = int_param(params.get("start"), 0, minimum=0)
    limit = int_param(params.get("limit"), SEARCH_PAGE_SIZE, minimum=1, maximum=SEARCH_MAX_PAGE)
    end = int_param(params.get("end"), start + limit, minimum=start, maximum=start + SEARCH_MAX_PAGE)
    return Response(selectors.artist_search(query=_text(params, "query"), start=start, end=end))


@extend_schema(
    parameters=[OpenApiParameter("item_id", str)],
    responses={200: schema.TRACK, 404: ERROR},
)
@api_view(["GET"])
def track(request):
    item_id = _required_id(request.query_params, "item_id")
    summary = selectors.track_summary(item_id=item_id)
    if summary is None:
        raise TrackNotFound(f"Track {item_id} was not found")
    return Response(summary)


# -- similar songs -----------------------------------------------------------------------------


@extend_schema(
    parameters=[OpenApiParameter(name, str) for name in ("item_id", "title", "artist")]
    + [OpenApiParameter("n", int)]
    + [OpenApiParameter(name, bool) for name in ("eliminate_duplicates", "radius_similarity", "mood_similarity")]
    + [
        OpenApiParameter("mood", str, description="With centroid_index: songs near that mood centroid, no seed track"),
        OpenApiParameter("centroid_index", int, description="A centroid of GET /api/mood_centroids"),
    ],
    responses={200: schema.SONG_ROWS, 400: ERROR, 404: ERROR, 503: NO_INDEX},
)
@api_view(["GET"])
def similar(request):
    params, config = request.query_params, similarity_config()
    n = int_param(params.get("n"), 10, minimum=1, maximum=MAX_SIMILAR_RESULTS)
    mood, centroid_index = _text(params, "mood").lower(), int_param(params.get("centroid_index"), None)
    item_id = "" if mood and centroid_index is not None else None
    if item_id is None:
        item_id = resolve_item_id(
            item_id=_text(params, "item_id"), title=_text(params, "title"), artist=_text(params, "artist")
        )
    query = SimilarRequest(
        item_id=item_id,
        n=n,
        eliminate_duplicates=bool_param(params.get("eliminate_duplicates"), config.eliminate_duplicates_default),
        radius=bool_param(params.get("radius_similarity"), config.radius_default),
        mood=bool_param(params.get("mood_similarity"), config.mood_similarity_default),
    )
    library = SongLibrary.current(config)
    if item_id:
        picks = similar_tracks(library=library, request=query, config=config)
    else:
        centroid = mood_centroid(mood, centroid_index)
        picks = similar_to_centroid(
            library=library, centroid=centroid.vector, name=f"mood:{mood}:{centroid_index}", request=query,
            config=config,
        )  # fmt: skip
    if not picks:
        raise NothingFound(f"No similar tracks found for {item_id or f'mood {mood} centroid {centroid_index}'}")
    return Response(library.rows(picks, top_n_moods=config.top_n_moods))


@extend_schema(
    parameters=[OpenApiParameter("mood", str, description="Only this mood's centroids")],
    responses={200: schema.MOOD_CENTROIDS, 400: ERROR, 503: NO_INDEX},
)
@api_view(["GET"])
def mood_centroids(request):
    centroids = current_moods.current()
    wanted = _text(request.query_params, "mood").lower()
    if wanted and wanted not in centroids:
        raise InvalidSimilarityRequest(f"Unknown mood {wanted!r}. Available: {', '.join(MOODS)}")
    moods = [wanted] if wanted else list(centroids)
    return Response({mood: [centroid.meta() for centroid in centroids[mood]] for mood in moods})


@extend_schema(
    parameters=[OpenApiParameter("item_id", str)],
    responses={200: schema.MAX_DISTANCE, 404: ERROR, 503: NO_INDEX},
)
@api_view(["GET"])
def max_distance(request):
    item_id = _required_id(request.query_params, "item_id")
    config = similarity_config()
    farthest = farthest_track(library=SongLibrary.current(config), item_id=item_id, config=config)
    return Response({"max_distance": round(farthest.distance, 6), "farthest_item_id": farthest.item_id})


# -- song path ---------------------------------------------------------------------------------


@extend_schema(
    parameters=[OpenApiParameter(name, str) for name in ("start_song_id", "end_song_id")]
    + [
        OpenApiParameter(name, str, description="A mood of GET /api/mood_centroids instead of that end's song")
        for name in ("start_mood", "end_mood")
    ]
    + [OpenApiParameter("mood_pct", int, description="0-100: how far from the other end toward the mood")]
    + [OpenApiParameter("max_steps", int), OpenApiParameter("path_fix_size", bool)],
    responses={200: schema.PATH, 400: ERROR, 404: ERROR, 503: NO_INDEX},
)
@api_view(["GET"])
def path(request):
    params, config = request.query_params, similarity_config()
    # The Navidrome plugin also sends count (the same value as max_steps).
    length = int_param(params.get("max_steps", params.get("count")), config.path_default_length)
    library = SongLibrary.current(config)
    start_id, end_id = _path_ends(params, library=library, query_ef=config.query_ef)
    picks, total = find_path(
        library=library,
        start_id=start_id,
        end_id=end_id,
        length=min(max(length, 2), MAX_PATH_LENGTH),
        fix_size=bool_param(params.get("path_fix_size"), config.path_fix_size_default),
        config=config,
    )
    rows = library.rows(picks, top_n_moods=config.top_n_moods)
    return Response({"path": rows, "total_distance": round(total, 6)})


def _path_ends(params, *, library: SongLibrary, query_ef: int) -> tuple[str, str]:
    """start and end song ids; one end may be a mood (start_mood / end_mood), resolved to a song near it."""
    start_id, end_id = _text(params, "start_song_id"), _text(params, "end_song_id")
    start_mood, end_mood = _text(params, "start_mood").lower(), _text(params, "end_mood").lower()
    if start_mood and end_mood:
        raise InvalidSimilarityRequest("Only one end of a path can be a mood; the other must be a song")
    pct = int_param(params.get("mood_pct"), 100, minimum=0, maximum=100)
    if start_mood:
        start_id = mood_endpoint(library=library, mood=start_mood, other_id=end_id, pct=pct, query_ef=query_ef)
    if end_mood:
        end_id = mood_endpoint(library=library, mood=end_mood, other_id=start_id, pct=pct, query_ef=query_ef)
    return start_id, end_id


# -- alchemy -----------------------------------------------------------------------------------


@extend_schema(
    request={"application/json": schema.ALCHEMY_REQUEST},
    responses={
        200: OpenApiResponse(description="{results, filtered_out, add_centroid_2d, ...}"),
        400: ERROR,
        404: ERROR,
        503: NO_INDEX,
    },
)
@api_view(["POST"])
def alchemy(request):
    data, config = request_data(request), similarity_config()
    seed = int_param(data.get("seed"), None, minimum=0)  # optional: repeatable draws (tests, demos)
    # "preview": true (the MusicServer's alchemy page) asks for the picture with the songs: every answer has it.
    library = SongLibrary.current(config)
    result = run_alchemy(
        library=library,
        items=_alchemy_items(data.get("items")),
        # The default is capped too: ALCHEMY_MAX_N_RESULTS may be set below ALCHEMY_DEFAULT_N_RESULTS.
        n=min(int_param(data.get("n"), config.alchemy_default_n, minimum=1), config.alchemy_max_n),
        temperature=float_param(data.get("temperature"), config.alchemy_temperature, minimum=0.0),
        subtract_distance=float_param(data.get("subtract_distance"), config.alchemy_subtract_distance, minimum=0.0),
        rng=np.random.default_rng(seed),
        config=config,
    )
    if not result.results and not result.filtered_out:
        raise NothingFound("No tracks match this blend")
    return Response(_alchemy_payload(result, library=library, top_n_moods=config.top_n_moods))


def _alchemy_items(raw) -> list[AlchemyItem]:
    if not isinstance(raw, list) or not raw:
        raise InvalidSimilarityRequest("items must be a non-empty list of {id, op, type}")
    if len(raw) > MAX_ALCHEMY_ITEMS:
        raise InvalidSimilarityRequest(f"items holds {len(raw)} entries; at most {MAX_ALCHEMY_ITEMS} are allowed")
    items = []
    for entry in raw:
        item_id = str(entry.get("id") or "").strip() if isinstance(entry, dict) else ""
        if not item_id:
            raise InvalidSimilarityRequest("every item needs an id")
        op = str(entry.get("op") or "ADD").upper()
        if op not in ("ADD", "SUBTRACT"):
            raise InvalidSimilarityRequest(f"op must be ADD or SUBTRACT, got {op!r}")
        is_artist = str(entry.get("type") or "song").lower() == "artist"
        items.append(AlchemyItem(id=item_id, subtract=op == "SUBTRACT", is_artist=is_artist))
    return items


def _alchemy_payload(result: AlchemyResult, *, library: SongLibrary, top_n_moods: int) -> dict:
    points = result.points_2d

    def with_points(rows: list[dict]) -> list[dict]:
        return [{**row, "embedding_2d": _xy(points.get(row["item_id"]))} for row in rows]

    inputs = [
        [
            {
                "item_id": entry.item.id,
                "title": entry.song.title if entry.song else "",
                "author": entry.song.artist if entry.song else entry.artist or entry.item.id,
                "type": "artist" if entry.item.is_artist else "song",
                "embedding_2d": _xy(points[f"input:{position}"]),
            },
            *_component_points(entry, position, points),
        ]
        for position, entry in enumerate(result.inputs)
    ]
    subtracts = [entry.item.subtract for entry in result.inputs]
    subtract_2d = points.get("subtract_centroid")
    return {
        "results": with_points(library.rows(result.results, top_n_moods=top_n_moods)),
        "filtered_out": with_points(library.rows(result.filtered_out, top_n_moods=top_n_moods)),
        "add_centroid_2d": _xy(points["add_centroid"]),
        "subtract_centroid_2d": None if subtract_2d is None else _xy(subtract_2d),
        "add_points": [point for group, e in zip(inputs, subtracts, strict=True) if not e for point in group],
        "sub_points": [point for group, e in zip(inputs, subtracts, strict=True) if e for point in group],
        "projection": result.projection,
    }


def _component_points(entry, position: int, points: dict) -> list[dict]:
    """An artist input's mixture components, each a point of the picture marked is_artist_component."""
    return [
        {
            "item_id": f"{entry.artist_id}_comp{number}",
            "title": f"Component {number + 1} (w={component.weight:.2f})",
            "author": entry.artist,
            "type": "artist",
            "is_artist_component": True,
            "weight": round(float(component.weight), 4),
            "embedding_2d": _xy(points.get(f"input:{position}:{number}")),
        }
        for number, component in enumerate(entry.components)
    ]


def _xy(point) -> list[float] | None:
    return None if point is None else [round(float(point[0]), 6), round(float(point[1]), 6)]


# -- sonic fingerprint and playlists -----------------------------------------------------------


@extend_schema(
    parameters=[OpenApiParameter("n", int)]
    + [
        OpenApiParameter(name, str)
        for name in ("jellyfin_user_identifier", "jellyfin_token", "navidrome_user", "navidrome_password")
    ],
    request={"application/json": {"type": "object"}},
    responses={
        200: schema.SONG_ROWS,
        400: OpenApiResponse(description="No play history, or credentials the server rejects"),
        502: OpenApiResponse(description="The media server could not be reached"),
        503: NO_INDEX,
    },
)
@api_view(["GET", "POST"])
def fingerprint(request):
    data = {**request.query_params.dict(), **request_data(request)}
    config = similarity_config()
    n = int_param(data.get("n"), config.fingerprint_default_n, minimum=1, maximum=MAX_FINGERPRINT_RESULTS)
    user = user_credentials(data)
    library = SongLibrary.current(config)
    picks = sonic_fingerprint(
        library=library,
        n=n,
        user=user,
        config=config,
    )
    return Response(library.rows(picks, top_n_moods=config.top_n_moods))


@extend_schema(
    request={"application/json": schema.CREATE_PLAYLIST_REQUEST},
    responses={
        201: schema.CREATED_PLAYLIST,
        400: ERROR,
        502: OpenApiResponse(description="The media server could not be reached"),
    },
)
@api_view(["POST"])
def create_playlist(request):
    data = request_data(request)
    raw_ids = data.get("track_ids")
    if not isinstance(raw_ids, list):
        raise InvalidSimilarityRequest("track_ids must be a list of ids or {item_id} objects")
    item_ids = [str(entry.get("item_id") or "") if isinstance(entry, dict) else str(entry) for entry in raw_ids]
    # The server decides the origin: whatever the request says, a playlist posted here is manual.
    created = services.playlist_create(
        name=text_param(data.get("playlist_name")),
        item_ids=item_ids,
        origin=PlaylistOrigin.MANUAL,
        user=user_credentials(data.get("user_creds")),
    )
    body = {
        "message": f"Playlist '{created.playlist.name}' created with {created.mapped} tracks",
        "playlist_id": created.playlist.mediaserver_playlist_id,
        "mapped": created.mapped,
        "skipped": created.skipped,
    }
    return Response(body, status=status.HTTP_201_CREATED)


# -- external ----------------------------------------------------------------------------------


@extend_schema(parameters=[OpenApiParameter("id", str)], responses={200: OpenApiResponse(), 404: ERROR})
@api_view(["GET"])
def external_score(request):
    item_id = _required_id(request.query_params, "id")
    row = selectors.score_row(item_id=item_id, top_n_moods=similarity_config().top_n_moods)
    if row is None:
        raise TrackNotFound(f"No analysis for track {item_id}")
    return Response(row)


@extend_schema(parameters=[OpenApiParameter("id", str)], responses={200: OpenApiResponse(), 404: ERROR})
@api_view(["GET"])
def external_embedding(request):
    item_id = _required_id(request.query_params, "id")
    vector = selectors.embedding_vector(item_id=item_id)
    if vector is None:
        raise TrackNotFound(f"No embedding for track {item_id}")
    return Response({"item_id": item_id, "embedding": vector})


@extend_schema(
    parameters=[OpenApiParameter(name, str) for name in ("search_query", "title", "artist")],
    responses={200: schema.TRACK_SUMMARIES},
)
@api_view(["GET"])
def external_search(request):
    return Response(_track_search(request.query_params))
