"""The ``server``/``server_id`` parameter AudioMuse-AI clients may send on any call, checked on every API view."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from mediaservers.selection import server_selection

SELECTION_NAMES = ("server", "server_id")


class KnownServerSelection(BasePermission):
    """A call naming a media server we do not serve is a 400 ``{"error": "Invalid server selection."}``.

    Clients that analyse several servers with AudioMuse-AI name one in the query or in a JSON body;
    ours is the configured server, under its id or name (``GET /api/servers``). This sits among the
    default permission classes because DRF runs those on every API view after authentication: no
    route can forget the check, and a caller without a token still gets its 401 first.
    """

    def has_permission(self, request, view) -> bool:
        body = request.data if request.method not in ("GET", "HEAD", "OPTIONS") else {}
        for source in (request.query_params, body if hasattr(body, "get") else {}):
            for name in SELECTION_NAMES:
                if source.get(name) not in (None, ""):
                    server_selection(source.get(name))  # raises UnknownServerSelection (400)
        return True
