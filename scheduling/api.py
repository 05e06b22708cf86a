"""Task status and control, as AudioMuse-AI clients call them."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from common.api.permissions import IsStaff
from scheduling import selectors, services


@extend_schema(responses={200: OpenApiResponse(description="The task"), 404: OpenApiResponse(description="Unknown")})
@api_view(["GET"])
def task_status(request, task_id: str):
    task = selectors.task_status_get(task_id=task_id)
    if task is None:
        return Response(
            {"task_id": task_id, "state": "UNKNOWN", "status_message": "Task not found", "error": "Task not found"},
            status=status.HTTP_404_NOT_FOUND,
        )
    return Response(selectors.task_status_payload(task))


@extend_schema(request=None, responses={200: OpenApiResponse(description="Cancelled"), 404: OpenApiResponse()})
@api_view(["POST"])
@permission_classes([IsStaff])
def task_cancel(request, task_id: str):
    count = services.task_cancel(task_id=task_id)
    return Response(
        {"message": f"Task {task_id} and its sub-tasks are being cancelled.", "task_id": task_id,
         "cancelled_jobs_count": count}
    )  # fmt: skip


@extend_schema(request=None, responses={200: OpenApiResponse(description="Cancelled"), 404: OpenApiResponse()})
@api_view(["POST"])
@permission_classes([IsStaff])
def task_cancel_all(request, task_type: str):
    cancelled = services.task_cancel_all(task_type=task_type)
    if not cancelled:
        return Response({"error": f"No active {task_type} tasks"}, status=status.HTTP_404_NOT_FOUND)
    return Response({"message": f"Cancelled {len(cancelled)} {task_type} task(s).", "cancelled_main_tasks": cancelled})


@extend_schema(responses={200: OpenApiResponse(description="The most recent main task")})
@api_view(["GET"])
def last_task(request):
    task = selectors.last_main_task()
    if task is None:
        return Response(
            {"task_id": None, "task_type": None, "status": "NO_PREVIOUS_MAIN_TASK", "progress": 0,
             "details": {"log": [], "status_message": "No task has run yet"}, "running_time_seconds": 0}
        )  # fmt: skip
    return Response(selectors.task_status_payload(task))


@extend_schema(responses={200: OpenApiResponse(description="The running main task, or {}")})
@api_view(["GET"])
def active_tasks(request):
    task = selectors.active_main_task()
    return Response(selectors.task_status_payload(task) if task else {})
