"""Server-rendered pages of the mediaservers app: the "test connection" page (staff)."""

import functools
import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from common.config import setting
from mediaservers.errors import (
    MediaServerAuthError,
    MediaServerConfigError,
    MediaServerError,
    MediaServerNotFound,
    MediaServerUnavailable,
)
from mediaservers.selectors import current_adapter

logger = logging.getLogger("mediaservers")

# A headline per error kind, so the user knows where to look before reading the details.
ERROR_HEADLINES = {
    MediaServerConfigError: "The configuration is incomplete",
    MediaServerAuthError: "The server rejected the credentials",
    MediaServerUnavailable: "The server could not be reached",
    MediaServerNotFound: "Something configured was not found on the server",
}


def staff_required(view):
    """Logged-out users go to the login page; logged-in non-staff get 403."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("Only staff can see the media server configuration")
        return view(request, *args, **kwargs)

    return login_required(guarded)


@staff_required
def mediaserver(request):
    """The configured server (never its secrets); a POST runs the connection check."""
    context = _configuration_summary()
    if request.method == "POST":
        context.update(_connection_check())
    return render(request, "mediaservers/mediaserver.html", context)


def _configuration_summary() -> dict:
    try:
        with current_adapter() as adapter:
            return {"server_type": adapter.server_type, "url": adapter.display_url}
    except MediaServerError as exc:
        # A server type whose settings are incomplete still gets a page that says so.
        return {"server_type": setting("MEDIASERVER_TYPE"), "url": "", "config_error": str(exc)}


def _connection_check() -> dict:
    """``{"report": adapter.check()}``, or ``{"error": ..., "error_headline": ...}``."""
    try:
        with current_adapter() as adapter:
            return {"report": adapter.check()}
    except MediaServerError as exc:
        logger.info("mediaserver.check.failed", extra={"error_type": type(exc).__name__})
        headline = next(
            (text for kind, text in ERROR_HEADLINES.items() if isinstance(exc, kind)), "The media server check failed"
        )
        return {"error": str(exc), "error_headline": headline}
