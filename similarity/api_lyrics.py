"""Lyrics search, which AudioMuse-AI clients call: no lyrics are analysed, so it is refused as they expect."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from common.api.params import request_data
from similarity import schema

LYRICS_DISABLED = "Lyrics search is disabled: AudioMuse analyses no lyrics."


@extend_schema(
    request={"application/json": {"type": "object"}},
    responses={400: OpenApiResponse(response=schema.LYRICS_REFUSAL, description="Lyrics are not analysed")},
)
@api_view(["POST"])
def lyrics_search_text(request):
    """The refusal AudioMuse-AI gives with lyrics disabled: 400 ``{error, results: []}``."""
    request_data(request)  # a body that is not a JSON object is still a 400 of its own
    return Response({"error": LYRICS_DISABLED, "results": []}, status=status.HTTP_400_BAD_REQUEST)


@extend_schema(responses={200: schema.LYRICS_STATS})
@api_view(["GET"])
def lyrics_stats(request):
    """Clients offer lyrics search only when ``lyrics_enabled`` is true."""
    return Response(
        {"lyrics_enabled": False, "loaded": False, "index_loaded": False, "axis_loaded": False, "song_count": 0}
    )
