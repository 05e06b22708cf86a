"""Hyperbolic and SemGrove routes, as AudioMuse-AI clients call them (the LMS mixer, the Lyrion plugin)."""

from __future__ import annotations

import math

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from common.api.params import int_param, request_data, text_param
from common.config import setting
from similarity import hyperbolic, schema
from similarity.config import similarity_config
from similarity.engine.hyperbolic import MAX_RADIAL_SPREAD
from similarity.errors import IndexNotReady, InvalidSimilarityRequest
from similarity.sem_grove import sem_grove_search

HYPERBOLIC_DEFAULT_LIMIT = 20
MAX_HYPERBOLIC_RESULTS = 500
SEM_GROVE_DEFAULT_LIMIT = 50
MAX_SEM_GROVE_RESULTS = 500

ERROR = OpenApiResponse(description='{"error": ...}')
NOT_READY = OpenApiResponse(description="The model is not fitted (or the index not built) yet")


def _seed_id(data: dict) -> str:
    item_id = text_param(data.get("item_id"))
    if not item_id:
        raise InvalidSimilarityRequest('Missing "item_id".')
    return item_id


def _radial_spread(value) -> float:
    """The request's radial_spread, or the HYPERBOLIC_RADIAL_SPREAD setting when absent; 400 when unusable."""
    if value is None or value == "":
        return setting("HYPERBOLIC_RADIAL_SPREAD")
    try:
        spread = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidSimilarityRequest('Invalid "radial_spread" value.') from None
    if isinstance(value, bool) or not math.isfinite(spread) or not 0.0 <= spread <= MAX_RADIAL_SPREAD:
        raise InvalidSimilarityRequest(f'"radial_spread" must be a number between 0 and {MAX_RADIAL_SPREAD:g}.')
    return spread


@extend_schema(
    request={"application/json": schema.HYPERBOLIC_REQUEST},
    responses={200: schema.HYPERBOLIC_SIMILAR, 400: ERROR, 404: ERROR, 503: NOT_READY},
)
@api_view(["POST"])
def hyperbolic_similar_songs(request):
    data = request_data(request)
    item_id = _seed_id(data)
    mode = hyperbolic.hyperbolic_mode(text_param(data.get("mode")))
    # Clients ask for more than they keep (the LMS mixer: ten times its count); larger asks are clamped.
    limit = int_param(data.get("limit"), HYPERBOLIC_DEFAULT_LIMIT, minimum=1, maximum=MAX_HYPERBOLIC_RESULTS)
    spread = _radial_spread(data.get("radial_spread"))
    answer = hyperbolic.hyperbolic_similar(
        item_id=item_id, mode=mode, limit=limit, radial_spread=spread, config=similarity_config()
    )
    return Response(
        {
            "results": answer.rows,
            "count": len(answer.rows),
            "mode": mode.value,
            "seed_radius": answer.seed_radius,
            "seed_item_id": item_id,
            "radial_spread": spread,
        }
    )


@extend_schema(
    parameters=[OpenApiParameter("node_id", str)],
    responses={200: schema.HYPERBOLIC_TREE, 404: ERROR, 503: NOT_READY},
)
@api_view(["GET"])
def hyperbolic_tree(request):
    return Response({"node": hyperbolic.hyperbolic_tree_node(node_id=text_param(request.query_params.get("node_id")))})


@extend_schema(request=None, responses={200: schema.HYPERBOLIC_WARMUP})
@api_view(["POST"])
def hyperbolic_warmup(request):
    """Load the model and build its tree now; ``loaded`` is false before the model is fitted."""
    try:
        hyperbolic.hyperbolic_models.current().tree  # noqa: B018 - built on first use, cached for this model version
    except IndexNotReady:
        return Response({"loaded": False, "expiry_seconds": 0})
    # The tree stays in memory until the next fit replaces it: nothing expires.
    return Response({"loaded": True, "expiry_seconds": 0})


@extend_schema(responses={200: schema.HYPERBOLIC_WARMUP_STATUS})
@api_view(["GET"])
def hyperbolic_warmup_status(request):
    view = hyperbolic.hyperbolic_models.in_memory()
    return Response({"active": bool(view is not None and view.tree_built), "seconds_remaining": 0})


@extend_schema(responses={200: schema.HYPERBOLIC_CACHE_STATUS})
@api_view(["GET"])
def hyperbolic_cache_status(request):
    view = hyperbolic.hyperbolic_models.in_memory()
    if view is None or not view.tree_built:
        return Response({"ok": False, "reason": "empty_cache", "n_bands": None, "node_count": 0, "track_count": 0})
    nodes = view.tree
    return Response(
        {
            "ok": True,
            "n_bands": nodes["root"]["children_count"],
            "node_count": len(nodes),
            "track_count": len(view),
        }
    )


@extend_schema(
    request={"application/json": schema.SEM_GROVE_REQUEST},
    responses={200: schema.SEM_GROVE, 400: ERROR, 404: ERROR, 503: NOT_READY},
)
@api_view(["POST"])
def sem_grove(request):
    data = request_data(request)
    item_id = _seed_id(data)
    limit = int_param(data.get("limit"), SEM_GROVE_DEFAULT_LIMIT, minimum=1, maximum=MAX_SEM_GROVE_RESULTS)
    results = sem_grove_search(item_id=item_id, limit=limit, config=similarity_config())
    return Response({"results": results, "count": len(results)})
