"""Media server configuration, with AudioMuse-AI's variable names.

``MediaServerConfig.from_settings()`` reads the UPPERCASE Django settings
(the settings module owns the environment and their defaults); adapters only
ever see this frozen dataclass. Its field defaults are the blanks of a
configuration built in code (``build``), as tests and checks do.
"""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from common.config import setting

SERVER_TYPES = ("local", "jellyfin", "emby", "navidrome", "lyrion", "mpd")
SECRET_FIELDS = frozenset({"jellyfin_token", "emby_token", "navidrome_password", "mpd_password"})
URL_FIELDS = frozenset({"jellyfin_url", "emby_url", "navidrome_url", "lyrion_url"})

# field name -> settings attribute
_SETTINGS_NAMES: dict[str, str] = {
    "server_type": "MEDIASERVER_TYPE",
    "music_libraries": "MUSIC_LIBRARIES",
    "music_dir": "MUSIC_DIR",
    "playlist_dir": "PLAYLIST_DIR",
    "jellyfin_url": "JELLYFIN_URL",
    "jellyfin_user_id": "JELLYFIN_USER_ID",
    "jellyfin_token": "JELLYFIN_TOKEN",
    "emby_url": "EMBY_URL",
    "emby_user_id": "EMBY_USER_ID",
    "emby_token": "EMBY_TOKEN",
    "navidrome_url": "NAVIDROME_URL",
    "navidrome_user": "NAVIDROME_USER",
    "navidrome_password": "NAVIDROME_PASSWORD",
    "lyrion_url": "LYRION_URL",
    "mpd_host": "MPD_HOST",
    "mpd_port": "MPD_PORT",
    "mpd_password": "MPD_PASSWORD",
    "mpd_music_directory": "MPD_MUSIC_DIRECTORY",
    "timeout_seconds": "MEDIASERVER_TIMEOUT",
    "max_download_mb": "MEDIASERVER_MAX_DOWNLOAD_MB",
    "temp_dir": "TEMP_DIR",
}


@dataclass(frozen=True, repr=False)
class MediaServerConfig:
    server_type: str = "local"
    music_libraries: tuple[str, ...] = ()
    music_dir: str = ""
    playlist_dir: str = ""
    jellyfin_url: str = ""
    jellyfin_user_id: str = ""
    jellyfin_token: str = ""
    emby_url: str = ""
    emby_user_id: str = ""
    emby_token: str = ""
    navidrome_url: str = ""
    navidrome_user: str = ""
    navidrome_password: str = ""
    lyrion_url: str = ""
    mpd_host: str = "localhost"
    mpd_port: int = 6600
    mpd_password: str = ""
    mpd_music_directory: str = ""
    timeout_seconds: float = 30.0
    max_download_mb: int = 1024
    temp_dir: str = ""

    @classmethod
    def from_settings(cls) -> MediaServerConfig:
        """Build from the Django settings (ImproperlyConfigured names a setting that is not defined)."""
        return cls.build(**{field: setting(name) for field, name in _SETTINGS_NAMES.items()})

    @classmethod
    def build(cls, **values: Any) -> MediaServerConfig:
        """Build from loosely typed values (Paths, comma-separated strings, None)."""
        clean = {key: _clean_value(key, value) for key, value in values.items() if value is not None}
        return cls(**clean)

    @property
    def playlist_path(self) -> Path:
        """PLAYLIST_DIR, or MUSIC_DIR/Playlists when unset."""
        return Path(self.playlist_dir) if self.playlist_dir else Path(self.music_dir) / "Playlists"

    @property
    def temp_path(self) -> Path:
        return Path(self.temp_dir) if self.temp_dir else Path(tempfile.gettempdir())

    @property
    def max_download_bytes(self) -> int:
        return int(self.max_download_mb) * 1024 * 1024

    def __repr__(self) -> str:
        shown = []
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name in SECRET_FIELDS and value:
                value = "***"
            elif field.name in URL_FIELDS and value:
                value = mask_userinfo(value)
            shown.append(f"{field.name}={value!r}")
        return f"MediaServerConfig({', '.join(shown)})"


def _clean_value(key: str, value: Any) -> Any:
    if key == "music_libraries":
        return parse_library_names(value)
    if key == "server_type":
        return str(value).strip().lower() or "local"
    if key == "mpd_port":
        return int(value)
    if key == "timeout_seconds":
        return float(value)
    if key == "max_download_mb":
        return int(value)
    if key in URL_FIELDS:
        return str(value).strip().rstrip("/")
    return str(value)


def parse_library_names(value: Any) -> tuple[str, ...]:
    """'Music, Jazz' or ['Music', 'Jazz'] -> ('Music', 'Jazz'); empty means all libraries."""
    if not value:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(name.strip() for name in items if str(name).strip())


def mask_userinfo(url: str) -> str:
    """http://user:secret@host -> http://user:***@host (Lyrion behind basic auth)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
