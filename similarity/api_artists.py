"""Artist routes, as AudioMuse-AI clients call them (see docs/API.md)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from common.api.params import bool_param, int_param, text_param
from similarity import schema
from similarity.artists import MAX_EF_SEARCH, MAX_SIMILAR_ARTISTS, similar_artist_rows
from similarity.engine.artists import DEFAULT_EF_SEARCH
from similarity.errors import InvalidSimilarityRequest

ERROR = OpenApiResponse(description='{"error": ...}')
DEFAULT_SIMILAR_ARTISTS = 10


@extend_schema(
    parameters=[
        OpenApiParameter("artist", str, description="An artist name, or the media server's artist id"),
        OpenApiParameter("artist_id", str, description="The media server's artist id (or a name)"),
        OpenApiParameter("n", int, description=f"How many artists: 1..{MAX_SIMILAR_ARTISTS}; missing or 0: 10"),
        OpenApiParameter("ef_search", int, description="How deep the artist index searches (default 100)"),
        OpenApiParameter("include_component_matches", bool),
    ],
    responses={
        200: schema.SIMILAR_ARTISTS,
        400: ERROR,
        404: ERROR,
        503: OpenApiResponse(description="No index (no analysed track with an artist) yet"),
    },
)
@api_view(["GET"])
def similar_artists(request):
    params = request.query_params
    artist, artist_id = text_param(params.get("artist")), text_param(params.get("artist_id"))
    if not artist and not artist_id:
        raise InvalidSimilarityRequest("Provide artist (a name or the media server's artist id) or artist_id")
    rows = similar_artist_rows(
        artist=artist or artist_id,
        by_id=not artist,
        n=_count(params.get("n")),
        ef_search=int_param(params.get("ef_search"), DEFAULT_EF_SEARCH, minimum=1, maximum=MAX_EF_SEARCH),
        include_component_matches=bool_param(params.get("include_component_matches"), False),
    )
    return Response(rows)


def _count(raw) -> int:
    """n as asked, clamped to 1..MAX_SIMILAR_ARTISTS; missing, unparsable or 0 (the Jellyfin plugin's proxy
    forwards n=0 when its caller gave none) means the default."""
    n = int_param(raw, DEFAULT_SIMILAR_ARTISTS)
    return DEFAULT_SIMILAR_ARTISTS if n == 0 else min(max(n, 1), MAX_SIMILAR_ARTISTS)
