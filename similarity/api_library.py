"""The library as a whole, as AudioMuse-AI clients read it: the dashboard summary and the sync export."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from common.api.params import bool_param, int_param, text_param
from common.config import setting
from mediaservers.permissions import KnownServerSelection
from mediaservers.selection import configured_server
from scheduling.selectors import recent_top_level_tasks, task_running_time_seconds
from similarity import schema
from similarity.config import similarity_config
from similarity.library_summary import library_summary
from similarity.library_sync import MAX_MANIFEST_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, SyncRequest, sync_page

RECENT_TASKS = 10
LIMIT_DESCRIPTION = f"rows per page, at most {MAX_PAGE_SIZE} ({MAX_MANIFEST_PAGE_SIZE} with fields=index)"


@extend_schema(responses={200: schema.DASHBOARD_SUMMARY})
@api_view(["GET"])
def dashboard_summary(request):
    """Library counts and charts (cached until the library changes) and the latest tasks (live)."""
    summary = library_summary()
    return Response(
        {
            "generated_at": timezone.now().isoformat(),
            "stats_updated_at": summary["stats_updated_at"],
            "content": summary["content"],
            "recent_tasks": _recent_tasks(),
            "workers": [],  # Celery workers report to no registry we could list
            "queue_backlog": [],
            "cron": [],
        }
    )


def _recent_tasks() -> list[dict]:
    return [
        {
            "task_id": task.task_id,
            "task_type": task.task_type,
            "status": task.status,
            "duration_seconds": task_running_time_seconds(task),
            "note": str((task.details or {}).get("status_message", "")),
            "timestamp": task.created_at.isoformat(),
        }
        for task in recent_top_level_tasks(limit=RECENT_TASKS)
    ]


class SyncReader(BasePermission):
    """An authenticated caller, or anyone when SYNC_WITHOUT_TOKEN is set (importers that send no token)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) or setting("SYNC_WITHOUT_TOKEN")


@extend_schema(
    parameters=[
        OpenApiParameter("fields", str, description="`index`: only {id, fp} per track"),
        OpenApiParameter("ids", str, description=f"comma-separated ids (at most {MAX_PAGE_SIZE})"),
        OpenApiParameter("page", int, description="1-based"),
        OpenApiParameter("limit", int, description=LIMIT_DESCRIPTION),
        OpenApiParameter("include_embeddings", bool, description="default true"),
    ],
    responses={200: schema.SYNC_PAGE},
)
@api_view(["GET"])
@permission_classes([SyncReader, KnownServerSelection])
def sync(request):
    params = request.query_params
    manifest = text_param(params.get("fields")) == "index"
    page_size = MAX_MANIFEST_PAGE_SIZE if manifest else MAX_PAGE_SIZE
    ids = params.get("ids")
    query = SyncRequest(
        page=int_param(params.get("page"), 1, minimum=1, maximum=MAX_PAGE),
        limit=int_param(params.get("limit"), MAX_PAGE_SIZE, minimum=1, maximum=page_size),
        ids=None if ids is None else [item for item in text_param(ids).split(",") if item.strip()],
        manifest=manifest,
        include_embeddings=bool_param(params.get("include_embeddings"), True),
        top_n_moods=similarity_config().top_n_moods,
    )
    return Response(sync_page(query, provider_type=configured_server().server_type))
