"""Checks every request passes before any view runs, so no route can forget them."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse

from audiomuse.api.parsers import body_too_large_message
from common.api.params import NUL


class RequestGuardMiddleware:
    """A declared body over DATA_UPLOAD_MAX_MEMORY_SIZE -> 413; a NUL in the path or query -> 400.

    Both answer ``{"error": ...}`` and nothing behind them runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # None: Django's way of saying no limit
        if limit is not None and _declared_length(request) > limit:
            return JsonResponse({"error": body_too_large_message()}, status=413)
        if NUL in request.path or any(NUL in key or NUL in value for key, value in _query_items(request)):
            return JsonResponse({"error": "Text must not contain NUL characters"}, status=400)
        return self.get_response(request)


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _query_items(request):
    for key, values in request.GET.lists():
        for value in values:
            yield key, value
