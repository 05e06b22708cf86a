"""Clustering routes (AudioMuse-AI compatible)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from clustering import config, jobs, selectors
from common.api.params import request_data
from common.api.permissions import IsStaff


@extend_schema(
    request={"application/json": {"type": "object", "additionalProperties": True,
                                  "description": "All optional; see docs/API.md"}},
    responses={202: OpenApiResponse(description="Started"), 409: OpenApiResponse(description="Already running")},
)  # fmt: skip
@api_view(["POST"])
@permission_classes([IsStaff])
def clustering_start(request):
    run = jobs.clustering_start(params=request_data(request))
    return Response(
        {"task_id": run.task_id, "task_type": run.task_type, "status": run.status},
        status=status.HTTP_202_ACCEPTED,
    )


@extend_schema(responses={200: OpenApiResponse(description="{name: [{item_id, title, author}]}")})
@api_view(["GET"])
def playlists(request):
    return Response(selectors.playlists_payload(selectors.latest_clustering_playlists()))


@extend_schema(responses={200: OpenApiResponse(description="Flat object of defaults")})
@api_view(["GET"])
def config_defaults(request):
    return Response(config.config_defaults())
