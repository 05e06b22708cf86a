"""``adapter_for(config)``: the only place that switches on MEDIASERVER_TYPE."""

from __future__ import annotations

from mediaservers.adapters.base import (
    Album,
    Capability,
    MediaServerAdapter,
    MediaServerUser,
    PlaylistInfo,
    PlayRecord,
    Track,
)
from mediaservers.config import SERVER_TYPES, MediaServerConfig
from mediaservers.errors import MediaServerConfigError

__all__ = [
    "Album",
    "Capability",
    "MediaServerAdapter",
    "MediaServerUser",
    "PlayRecord",
    "PlaylistInfo",
    "Track",
    "adapter_for",
]


def adapter_for(config: MediaServerConfig) -> MediaServerAdapter:
    """The adapter for ``config.server_type``; MediaServerConfigError if it is unknown."""
    # Imported here so that a deployment using one server never imports the others' clients.
    if config.server_type == "local":
        from mediaservers.adapters.local import LocalFolderAdapter

        return LocalFolderAdapter(config)
    if config.server_type == "jellyfin":
        from mediaservers.adapters.jellyfin import JellyfinAdapter

        return JellyfinAdapter(config)
    if config.server_type == "emby":
        from mediaservers.adapters.jellyfin import EmbyAdapter

        return EmbyAdapter(config)
    if config.server_type == "navidrome":
        from mediaservers.adapters.navidrome import NavidromeAdapter

        return NavidromeAdapter(config)
    if config.server_type == "lyrion":
        from mediaservers.adapters.lyrion import LyrionAdapter

        return LyrionAdapter(config)
    if config.server_type == "mpd":
        from mediaservers.adapters.mpd import MpdAdapter

        return MpdAdapter(config)
    raise MediaServerConfigError(f"MEDIASERVER_TYPE={config.server_type!r} is not one of {', '.join(SERVER_TYPES)}")
