"""Every API error as `{"error": "..."}` with the right status, in one place.

The apps' domain errors know nothing of HTTP; ``ERROR_STATUS`` is the one
table that gives each its status code, so views can simply raise them.
"""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from audiomuse.web_limits import is_statement_timeout
from common.config import setting
from mediaservers.errors import UnknownServerSelection
from playlists.errors import InvalidPlaylist
from scheduling.errors import TaskConflict, TaskNotActive, TaskNotFound
from similarity.errors import (
    ArtistNotFound,
    IndexNotReady,
    InvalidSimilarityRequest,
    MediaServerRejected,
    MediaServerUnreachable,
    NoPlayHistory,
    NothingFound,
    TrackNotFound,
)

logger = logging.getLogger(__name__)

# Domain error class -> HTTP status; the first class the error is an instance of wins.
ERROR_STATUS: dict[type[Exception], int] = {
    TaskConflict: status.HTTP_409_CONFLICT,
    TaskNotFound: status.HTTP_404_NOT_FOUND,
    TaskNotActive: status.HTTP_400_BAD_REQUEST,
    IndexNotReady: status.HTTP_503_SERVICE_UNAVAILABLE,
    InvalidSimilarityRequest: status.HTTP_400_BAD_REQUEST,
    InvalidPlaylist: status.HTTP_400_BAD_REQUEST,
    UnknownServerSelection: status.HTTP_400_BAD_REQUEST,
    TrackNotFound: status.HTTP_404_NOT_FOUND,
    ArtistNotFound: status.HTTP_404_NOT_FOUND,
    NothingFound: status.HTTP_404_NOT_FOUND,
    NoPlayHistory: status.HTTP_400_BAD_REQUEST,
    MediaServerRejected: status.HTTP_400_BAD_REQUEST,
    MediaServerUnreachable: status.HTTP_502_BAD_GATEWAY,
}


def exception_handler(exc, context):
    _render_errors_as_json(context.get("request"))
    if isinstance(exc, OperationalError) and is_statement_timeout(exc):
        logger.warning("api.request.statement_timeout", extra={"path": getattr(context.get("request"), "path", "")})
        seconds = setting("WEB_STATEMENT_TIMEOUT_SECONDS")
        message = f"The request took longer than {seconds} s (WEB_STATEMENT_TIMEOUT_SECONDS); try a smaller one"
        return Response({"error": message}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    for error_type, code in ERROR_STATUS.items():
        if isinstance(exc, error_type):
            return Response({"error": str(exc)}, status=code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = {"error": _message(exc)}
    return response


def _render_errors_as_json(request) -> None:
    # Views with other renderers (the YAML schema) still answer errors in JSON.
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


def _message(exc: Exception) -> str:
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return "Unauthorized" if isinstance(exc, exceptions.NotAuthenticated) else str(exc.detail)
    if isinstance(exc, exceptions.PermissionDenied):
        return "Forbidden"
    if isinstance(exc, exceptions.APIException):
        return _flatten(exc.detail)
    return str(exc)


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    return str(detail)


def json_not_found(request, exception=None):
    """404 handler: JSON under /api/, Django's page elsewhere."""
    if request.path.startswith(("/api/", "/external/", "/chat/api/")):
        return JsonResponse({"error": "Not found"}, status=status.HTTP_404_NOT_FOUND)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def json_server_error(request):
    if request.path.startswith(("/api/", "/external/", "/chat/api/")):
        return JsonResponse({"error": "Internal server error"}, status=500)
    from django.views.defaults import server_error

    return server_error(request)
