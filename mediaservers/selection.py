"""The configured media server as AudioMuse-AI clients name it: an id, a name, a type.

AudioMuse-AI can analyse several servers and lets every call pick one with a
``server`` (or ``server_id``) parameter. We serve one, the configured server;
its id is derived from its type and address, so it stays the same across
restarts and processes and changes only when the server is reconfigured.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from mediaservers.config import MediaServerConfig, mask_userinfo
from mediaservers.errors import UnknownServerSelection

logger = logging.getLogger(__name__)

# The exact answer AudioMuse-AI gives, which its clients show as is.
INVALID_SELECTION = "Invalid server selection."
PRODUCT_NAMES = {
    "local": "Music folder",
    "jellyfin": "Jellyfin",
    "emby": "Emby",
    "navidrome": "Navidrome",
    "lyrion": "Lyrion",
    "mpd": "MPD",
}


@dataclass(frozen=True)
class ConfiguredServer:
    server_id: str
    name: str
    server_type: str
    address: str  # shown to users; credentials in a URL are masked


def configured_server(config: MediaServerConfig | None = None) -> ConfiguredServer:
    """The one media server AudioMuse serves, described as AudioMuse-AI's server registry describes each."""
    config = config or MediaServerConfig.from_settings()
    address = _address(config)
    digest = hashlib.sha256(f"{config.server_type}\n{address}".encode()).hexdigest()
    name = PRODUCT_NAMES.get(config.server_type, config.server_type)
    return ConfiguredServer(
        server_id=f"{config.server_type}-{digest[:12]}", name=name, server_type=config.server_type, address=address
    )


def server_selection(requested: object) -> ConfiguredServer:
    """The server a request names by id or by name (any case); none named means the configured one.

    UnknownServerSelection when it names another, or is not a string.
    """
    server = configured_server()
    if requested is None or requested == "":
        return server
    if not isinstance(requested, str | int) or isinstance(requested, bool):
        raise UnknownServerSelection(INVALID_SELECTION)
    text = str(requested).strip()
    if text == server.server_id or text.casefold() == server.name.casefold():
        return server
    logger.info("mediaservers.selection.unknown", extra={"requested": text[:80], "server_id": server.server_id})
    raise UnknownServerSelection(INVALID_SELECTION)


def _address(config: MediaServerConfig) -> str:
    if config.server_type == "local":
        return config.music_dir
    if config.server_type == "mpd":
        return f"{config.mpd_host}:{config.mpd_port}"
    urls = {
        "jellyfin": config.jellyfin_url,
        "emby": config.emby_url,
        "navidrome": config.navidrome_url,
        "lyrion": config.lyrion_url,
    }
    return mask_userinfo(urls.get(config.server_type, ""))
