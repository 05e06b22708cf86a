"""The one interface every feature uses to talk to a media server.

Features never ask which server is configured: they call these methods and
check ``capabilities`` (or catch ``CapabilityNotSupported``) to explain to the
user what the server cannot do. ``adapter_for(config)`` picks the class.
"""

from __future__ import annotations

import abc
import contextlib
import enum
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from mediaservers.adapters.records import Album, PlaylistInfo, PlayRecord, Track
from mediaservers.config import MediaServerConfig
from mediaservers.errors import CapabilityNotSupported

logger = logging.getLogger("mediaservers")

CHECK_SAMPLE_ALBUMS = 5


class Capability(enum.StrEnum):
    DOWNLOAD = "download"
    PLAYLISTS = "playlists"
    PLAY_HISTORY = "play_history"
    # play_history(user=...) with someone else's credentials
    PER_USER_HISTORY = "per_user_history"
    # create_playlist(user=...): playlists belong to users, and this one to the user given
    PER_USER_PLAYLISTS = "per_user_playlists"


@dataclass(frozen=True, repr=False)
class MediaServerUser:
    """Someone's own credentials (play_history, create_playlist): Jellyfin/Emby id + token, Navidrome name + password.

    Jellyfin/Emby accept a user name in ``user_id`` (or ``username``) and fall back to the server's
    token when ``token`` is empty; Subsonic servers need ``username`` and ``password``.
    """

    user_id: str = ""
    token: str = ""
    username: str = ""
    password: str = ""

    def __repr__(self) -> str:
        return f"MediaServerUser(user_id={self.user_id!r}, username={self.username!r}, secrets=***)"


class MediaServerAdapter(abc.ABC):
    """Base class: public methods validate and enforce capabilities, subclasses do the I/O."""

    server_type: ClassVar[str]
    static_capabilities: ClassVar[frozenset[Capability]] = frozenset()

    def __init__(self, config: MediaServerConfig):
        self.config = config

    # -- description -------------------------------------------------------

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What this server can do; subclasses may probe the server (MPD stickers)."""
        return self.static_capabilities

    @property
    def display_url(self) -> str:
        """Where the server is, without secrets, for messages and the check command."""
        return ""

    def capability_message(self, capability: Capability) -> str:
        return f"{self.server_type} does not support {capability.value.replace('_', ' ')}"

    def require(self, capability: Capability) -> None:
        if capability not in self.capabilities:
            raise CapabilityNotSupported(capability.value, self.capability_message(capability))

    # -- library -----------------------------------------------------------

    def iter_albums(self, *, recent: int | None = None) -> Iterator[Album]:
        """The ``recent`` most recently added albums (newest first), or all of them.

        A generator; adapters fetch one page per request, never one request per track.
        """
        if recent is not None and recent <= 0:
            return iter(())
        return self._iter_albums(recent=recent)

    @abc.abstractmethod
    def _iter_albums(self, *, recent: int | None) -> Iterator[Album]: ...

    @abc.abstractmethod
    def album_tracks(self, album_id: str) -> list[Track]:
        """The album's tracks in disc/track order.

        An album that is gone gives MediaServerNotFound, or an empty list on
        servers that cannot tell "no such album" from "no tracks" (Jellyfin, Emby, Lyrion).
        """

    @abc.abstractmethod
    def iter_tracks(self) -> Iterator[Track]:
        """Every track of the (filtered) library, paged; used to find tracks that disappeared."""

    @abc.abstractmethod
    def libraries(self) -> list[str]:
        """Names of the libraries (views, music folders) this configuration reads."""

    def count_albums(self) -> int:
        """Album count; adapters whose server reports a total override this."""
        return sum(1 for _ in self.iter_albums())

    # -- audio -------------------------------------------------------------

    def download_track(self, track: Track, *, dest_dir: Path | str | None = None) -> Path:
        """Stream the track's audio to a new file in ``dest_dir`` (TEMP_DIR by default).

        The caller deletes the file (or uses ``downloaded``). Size-capped by
        MEDIASERVER_MAX_DOWNLOAD_MB; on any failure no partial file is left.
        """
        self.require(Capability.DOWNLOAD)
        target = Path(dest_dir) if dest_dir is not None else self.config.temp_path
        target.mkdir(parents=True, exist_ok=True)
        return self._download_track(track, target)

    @abc.abstractmethod
    def _download_track(self, track: Track, dest_dir: Path) -> Path: ...

    @contextlib.contextmanager
    def downloaded(self, track: Track, *, dest_dir: Path | str | None = None) -> Iterator[Path]:
        """``with adapter.downloaded(track) as path:`` - the file is removed on exit."""
        path = self.download_track(track, dest_dir=dest_dir)
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)

    # -- playlists ---------------------------------------------------------

    def create_playlist(self, name: str, track_ids: Sequence[str], *, user: MediaServerUser | None = None) -> str:
        """Create a playlist with the tracks in this order; returns its id.

        With ``user``, servers whose playlists belong to users (PER_USER_PLAYLISTS) create it as, and
        for, that user; the others (a folder, MPD, Lyrion) have no owners and ignore ``user``.
        IncompleteUserCredentials when ``user`` lacks what this server needs.
        """
        self.require(Capability.PLAYLISTS)
        if not name.strip():
            raise ValueError("playlist name is empty")
        ids = list(track_ids)
        if not ids:
            raise ValueError("a playlist needs at least one track")
        if user is None:
            return self._create_playlist(name, ids)
        if Capability.PER_USER_PLAYLISTS not in self.capabilities:
            logger.info("mediaserver.playlist.user_ignored", extra={"server": self.server_type})
            return self._create_playlist(name, ids)
        return self._create_user_playlist(name, ids, user)

    @abc.abstractmethod
    def _create_playlist(self, name: str, track_ids: list[str]) -> str: ...

    def _create_user_playlist(self, name: str, track_ids: list[str], user: MediaServerUser) -> str:
        """Adapters with PER_USER_PLAYLISTS override this."""
        raise CapabilityNotSupported(
            Capability.PER_USER_PLAYLISTS.value, self.capability_message(Capability.PER_USER_PLAYLISTS)
        )

    def list_playlists(self) -> list[PlaylistInfo]:
        self.require(Capability.PLAYLISTS)
        return self._list_playlists()

    @abc.abstractmethod
    def _list_playlists(self) -> list[PlaylistInfo]: ...

    def delete_playlist(self, playlist_id: str) -> None:
        self.require(Capability.PLAYLISTS)
        self._delete_playlist(playlist_id)

    @abc.abstractmethod
    def _delete_playlist(self, playlist_id: str) -> None: ...

    def delete_playlists_with_suffix(self, suffix: str) -> list[str]:
        """Delete every playlist whose name ends with ``suffix``; returns the deleted names.

        Clustering replaces its ``*_automatic`` playlists this way.
        """
        if not suffix:
            raise ValueError("refusing to delete every playlist: suffix is empty")
        deleted = []
        for playlist in self.list_playlists():
            if playlist.name.endswith(suffix):
                self._delete_playlist(playlist.id)
                deleted.append(playlist.name)
        logger.info("mediaserver.playlists.deleted", extra={"count": len(deleted), "suffix": suffix})
        return deleted

    # -- listening history -------------------------------------------------

    def play_history(self, *, limit: int, user: MediaServerUser | None = None) -> list[PlayRecord]:
        """The ``limit`` most played tracks (most played first) with last-played times."""
        self.require(Capability.PLAY_HISTORY)
        if user is not None:
            self.require(Capability.PER_USER_HISTORY)
        if limit <= 0:
            return []
        return self._play_history(limit=limit, user=user)

    def _play_history(self, *, limit: int, user: MediaServerUser | None) -> list[PlayRecord]:
        raise CapabilityNotSupported(Capability.PLAY_HISTORY.value, self.capability_message(Capability.PLAY_HISTORY))

    # -- diagnostics -------------------------------------------------------

    def check(self) -> dict:
        """What a "test connection" shows: where, which libraries, how many albums."""
        sample = []
        for album in _first(self.iter_albums(), CHECK_SAMPLE_ALBUMS):
            tracks = self.album_tracks(album.id)
            sample.append({"id": album.id, "name": album.name, "artist": album.artist, "tracks": len(tracks)})
        return {
            "server_type": self.server_type,
            "url": self.display_url,
            "libraries": self.libraries(),
            "album_count": self.count_albums(),
            "albums": sample,
            "capabilities": sorted(capability.value for capability in self.capabilities),
        }

    def close(self) -> None:  # noqa: B027 - optional hook: only HTTP adapters hold a session
        """Release connections; adapters are also usable as context managers."""

    def __enter__(self) -> MediaServerAdapter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _first(items: Iterable, count: int) -> list:
    taken = []
    for item in items:
        if len(taken) >= count:
            break
        taken.append(item)
    return taken
