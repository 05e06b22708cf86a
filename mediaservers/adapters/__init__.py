"""``adapter_for(config)``: the only place that switches on MEDIASERVER_TYPE."""

from __future__ import annotations

import importlib

from mediaservers.adapters.base import Capability, MediaServerAdapter, MediaServerUser
from mediaservers.adapters.records import Album, PlaylistInfo, PlayRecord, Track
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


# MEDIASERVER_TYPE -> "module:class", imported on first use so that a deployment using one server never
# imports the others' clients.
ADAPTER_CLASSES = {
    "local": "mediaservers.adapters.local:LocalFolderAdapter",
    "jellyfin": "mediaservers.adapters.jellyfin:JellyfinAdapter",
    "emby": "mediaservers.adapters.jellyfin:EmbyAdapter",
    "navidrome": "mediaservers.adapters.navidrome:NavidromeAdapter",
    "lyrion": "mediaservers.adapters.lyrion:LyrionAdapter",
    "mpd": "mediaservers.adapters.mpd:MpdAdapter",
}


def adapter_for(config: MediaServerConfig) -> MediaServerAdapter:
    """The adapter for ``config.server_type``; MediaServerConfigError if it is unknown."""
    if config.server_type not in ADAPTER_CLASSES:
        raise MediaServerConfigError(f"MEDIASERVER_TYPE={config.server_type!r} is not one of {', '.join(SERVER_TYPES)}")
    module_name, class_name = ADAPTER_CLASSES[config.server_type].split(":")
    return getattr(importlib.import_module(module_name), class_name)(config)
