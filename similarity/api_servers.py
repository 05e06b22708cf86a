"""The media server, as AudioMuse-AI clients ask about it: the server list and the fingerprint form's defaults."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from mediaservers.config import MediaServerConfig
from mediaservers.selection import configured_server
from similarity import schema

SERVER_PARAMETERS = [
    OpenApiParameter(name, str, description="a server id or name, see GET /api/servers")
    for name in ("server", "server_id")
]


@extend_schema(responses={200: schema.SERVERS})
@api_view(["GET"])
def servers(request):
    """The one configured server, with its stable id; no credentials."""
    config = MediaServerConfig.from_settings()
    server = configured_server(config)
    entry = {
        "server_id": server.server_id,
        "name": server.name,
        "server_type": server.server_type,
        "music_libraries": list(config.music_libraries),
        "is_default": True,
    }
    return Response({"servers": [entry], "default_id": server.server_id, "multi_server_enabled": False})


@extend_schema(parameters=SERVER_PARAMETERS, responses={200: schema.SERVER_DEFAULTS})
@api_view(["GET"])
def media_server_defaults(request):
    """What the sonic fingerprint form needs: the server's type and the account it uses (never a secret)."""
    config = MediaServerConfig.from_settings()
    payload = {"server_type": config.server_type}
    if config.server_type in ("jellyfin", "emby"):
        payload["default_user_id"] = (
            config.jellyfin_user_id if config.server_type == "jellyfin" else config.emby_user_id
        )
    elif config.server_type == "navidrome":
        payload["default_user"] = config.navidrome_user
    return Response(payload)
