"""Analysis routes (AudioMuse-AI compatible)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from analysis import cleaning, jobs
from common.api.params import int_param, request_data
from common.api.permissions import IsStaff


# AudioMuse-AI clients may also send top_n_moods: every tag is stored, so it changes nothing and is ignored.
@extend_schema(
    request={"application/json": {"type": "object", "properties": {"num_recent_albums": {"type": "integer"}}}},
    responses={202: OpenApiResponse(description="Started"), 409: OpenApiResponse(description="Already running")},
)
@api_view(["POST"])
@permission_classes([IsStaff])
def analysis_start(request):
    data = request_data(request)
    run = jobs.analysis_start(num_recent_albums=int_param(data.get("num_recent_albums"), None))
    return Response(
        {"task_id": run.task_id, "task_type": run.task_type, "status": run.status},
        status=status.HTTP_202_ACCEPTED,
    )


@extend_schema(request=None, responses={202: OpenApiResponse(description="Started"), 409: OpenApiResponse()})
@api_view(["POST"])
@permission_classes([IsStaff])
def cleaning_start(request):
    task = cleaning.cleaning_start()
    return Response(
        {"task_id": task.task_id, "task_type": task.task_type, "status": task.status},
        status=status.HTTP_202_ACCEPTED,
    )
