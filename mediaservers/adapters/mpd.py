"""MPD (Music Player Daemon) through python-mpd2.

MPD_HOST is a host name or, when it starts with "/", a unix socket path.
A connection is opened per operation (per page when listing) because MPD
drops idle clients after ``connection_timeout`` and analysis can take hours
between two albums.

Ids: a track id is MPD's song URI (the path relative to its music directory);
an album id is the base64url of the JSON key ``["tag", album artist, album]``
for tagged songs or ``["dir", folder]`` for songs without an album tag, so it
can be turned back into a query.

Songs are listed with ``find "(file != '')" sort <tag> window a:b`` (one request
per 1000 songs): ``sort -Last-Modified`` for recent albums, ``sort Album`` for all.
Audio is read from MPD_MUSIC_DIRECTORY + URI; without that setting, a unix
socket connection asks MPD itself (``config``). Playlists are MPD stored
playlists (``playlistadd``/``listplaylists``/``rm``; the queue is never
touched). MPD keeps no play counts: the ``playCount`` and ``lastPlayed``
stickers that clients such as myMPD write are read when the sticker database
is enabled, and the capability is absent otherwise.
"""

from __future__ import annotations

import base64
import contextlib
import heapq
import json
import posixpath
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from mpd import CommandError, MPDClient
from mpd import ConnectionError as MPDConnectionError

from mediaservers.adapters.base import Capability, MediaServerAdapter, MediaServerUser
from mediaservers.adapters.download import copy_file
from mediaservers.adapters.records import (
    Album,
    PlaylistInfo,
    PlayRecord,
    Track,
    artist_id_from_name,
    parse_datetime,
    year_from,
)
from mediaservers.adapters.resilience import call_with_retries
from mediaservers.errors import MediaServerAuthError, MediaServerError, MediaServerNotFound, MediaServerUnavailable

SONG_PAGE = 1000
ACK_PASSWORD, ACK_PERMISSION, ACK_NO_EXIST = 3, 4, 50
_ACK_CODE = re.compile(r"\[(\d+)@")
_TRANSPORT_ERRORS = (OSError, MPDConnectionError)


class MpdAdapter(MediaServerAdapter):
    server_type = "mpd"

    def __init__(self, config):
        super().__init__(config)
        self._probed: tuple[bool, str] | None = None  # (stickers enabled, music directory)

    @property
    def display_url(self) -> str:
        host = self.config.mpd_host
        return host if host.startswith("/") else f"mpd://{host}:{self.config.mpd_port}"

    # -- connection ----------------------------------------------------------

    @contextlib.contextmanager
    def _client(self) -> Iterator[MPDClient]:
        client = MPDClient()
        client.timeout = self.config.timeout_seconds
        try:
            call_with_retries(
                lambda: self._connect(client),
                should_retry=lambda exc: isinstance(exc, _TRANSPORT_ERRORS),
                describe=lambda exc: type(exc).__name__,
                server="MPD",
            )
            if self.config.mpd_password:
                client.password(self.config.mpd_password)
            yield client
        except CommandError as exc:
            raise self._translate(exc) from None
        except _TRANSPORT_ERRORS as exc:
            raise MediaServerUnavailable(f"MPD at {self.display_url} is unavailable: {type(exc).__name__}") from None
        finally:
            with contextlib.suppress(Exception):
                client.disconnect()

    def _connect(self, client: MPDClient) -> None:
        with contextlib.suppress(Exception):
            client.disconnect()  # a failed attempt may leave a half-open socket
        if self.config.mpd_host.startswith("/"):
            client.connect(self.config.mpd_host)
        else:
            client.connect(self.config.mpd_host, self.config.mpd_port)

    def _translate(self, exc: CommandError) -> MediaServerError:
        text = str(exc)
        match = _ACK_CODE.search(text)
        code = int(match.group(1)) if match else None
        if code in (ACK_PASSWORD, ACK_PERMISSION):
            return MediaServerAuthError(f"MPD at {self.display_url} rejected the password", url=self.display_url)
        if code == ACK_NO_EXIST:
            return MediaServerNotFound(f"MPD: {text}")
        return MediaServerError(f"MPD refused a command: {text}")

    def _probe(self) -> tuple[bool, str]:
        if self._probed is None:
            with self._client() as client:
                commands = set(client.commands())
                music_dir = self.config.mpd_music_directory
                if not music_dir and "config" in commands:  # listed on local socket connections only
                    music_dir = str(client.config())
            self._probed = ("sticker" in commands, music_dir)
        return self._probed

    @property
    def capabilities(self) -> frozenset[Capability]:
        stickers, music_dir = self._probe()
        found = {Capability.PLAYLISTS}
        if music_dir:
            found.add(Capability.DOWNLOAD)
        if stickers:
            found.add(Capability.PLAY_HISTORY)
        return frozenset(found)

    def capability_message(self, capability: Capability) -> str:
        if capability is Capability.PLAY_HISTORY:
            return (
                "MPD keeps no play counts; enable sticker_file in mpd.conf and use a client "
                "that writes playCount stickers (e.g. myMPD)"
            )
        if capability is Capability.PER_USER_HISTORY:
            return "MPD has no users; play counts (playCount stickers) are shared by everyone"
        if capability is Capability.DOWNLOAD:
            return "set MPD_MUSIC_DIRECTORY to MPD's music folder as this machine sees it"
        return super().capability_message(capability)

    # -- library ---------------------------------------------------------------

    def libraries(self) -> list[str]:
        if self.config.music_libraries:
            return list(self.config.music_libraries)
        with self._client() as client:
            return [entry["directory"] for entry in client.lsinfo() if "directory" in entry]

    def _filters(self) -> list[str]:
        """MUSIC_LIBRARIES names top-level folders of MPD's music directory."""
        if not self.config.music_libraries:
            return ["(file != '')"]
        return [f"(base {_quote(name)})" for name in self.config.music_libraries]

    def _songs(self, *sort: str) -> Iterator[dict]:
        for expression in self._filters():
            start = 0
            while True:
                with self._client() as client:
                    page = client.find(expression, *sort, "window", f"{start}:{start + SONG_PAGE}")
                yield from page
                start += len(page)
                if len(page) < SONG_PAGE:
                    break

    def _iter_albums(self, *, recent: int | None) -> Iterator[Album]:
        seen: set[str] = set()
        for song in self._songs("sort", "Album" if recent is None else "-Last-Modified"):
            album_id = album_id_for(song)
            if album_id in seen:
                continue
            seen.add(album_id)
            track = _track_from(song)
            created = parse_datetime(song.get("last-modified"))
            yield Album(album_id, track.album, track.album_artist, track.year, created)
            if recent is not None and len(seen) >= recent:
                return

    def album_tracks(self, album_id: str) -> list[Track]:
        kind, *values = _decode_album_id(album_id)
        with self._client() as client:
            if kind == "tag":
                songs = client.find(f"(album == {_quote(values[1])})")
            else:
                songs = [entry for entry in client.lsinfo(values[0]) if "file" in entry]
        tracks = sorted((_order(song), _track_from(song)) for song in songs if album_id_for(song) == album_id)
        if not tracks:
            raise MediaServerNotFound(f"MPD has no album {album_id}")
        return [track for _, track in tracks]

    def iter_tracks(self) -> Iterator[Track]:
        for song in self._songs():
            yield _track_from(song)

    def _download_track(self, track: Track, dest_dir: Path) -> Path:
        _, music_dir = self._probe()
        root = Path(music_dir).resolve()
        source = (root / track.id).resolve()
        if root not in source.parents or not source.is_file():
            raise MediaServerNotFound(f"{track.id} is not a file under MPD's music directory {root}")
        return copy_file(source, dest_dir=dest_dir, max_bytes=self.config.max_download_bytes)

    # -- playlists ---------------------------------------------------------------

    def _list_playlists(self) -> list[PlaylistInfo]:
        with self._client() as client:
            names = [entry["playlist"] for entry in client.listplaylists()]
            if not names:
                return []
            client.command_list_ok_begin()  # one round trip for every playlist's length
            for name in names:
                client.listplaylist(name)
            contents = client.command_list_end()
        return [PlaylistInfo(name, name, len(songs or [])) for name, songs in zip(names, contents, strict=True)]

    def _create_playlist(self, name: str, track_ids: list[str]) -> str:
        name = name.replace("/", "_").replace("\n", " ")
        with self._client() as client:
            if name in {entry["playlist"] for entry in client.listplaylists()}:
                client.playlistclear(name)  # replace, like the other file-based servers
            client.command_list_ok_begin()
            for track_id in track_ids:
                client.playlistadd(name, track_id)
            client.command_list_end()
        return name

    def _delete_playlist(self, playlist_id: str) -> None:
        with self._client() as client:
            client.rm(playlist_id)

    # -- history ------------------------------------------------------------------

    def _play_history(self, *, limit: int, user: MediaServerUser | None) -> list[PlayRecord]:
        with self._client() as client:
            counts = _sticker_values(client.sticker_find("song", "", "playCount"))
            top = heapq.nlargest(limit, ((int(v), uri) for uri, v in counts.items() if v.isdigit() and int(v) > 0))
            if not top:
                return []
            last_played = _sticker_values(client.sticker_find("song", "", "lastPlayed"))
            client.command_list_ok_begin()
            for _, uri in top:
                client.find(f"(file == {_quote(uri)})")
            found = client.command_list_end()
        records = []
        for (count, uri), songs in zip(top, found, strict=True):
            track = _track_from(songs[0]) if songs else None
            records.append(
                PlayRecord(
                    track_id=uri,
                    play_count=count,
                    last_played=_sticker_time(last_played.get(uri)),
                    title=track.title if track else posixpath.basename(uri),
                    artist=track.artist if track else "",
                )
            )
        return records


def _first(value: object) -> str:
    """python-mpd2 gives a list when a tag repeats; we use the first value."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def _quote(value: str) -> str:
    """A string literal inside an MPD filter expression."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def album_key(song: dict) -> list[str]:
    album = _first(song.get("album"))
    if album:
        return ["tag", _first(song.get("albumartist")) or _first(song.get("artist")), album]
    return ["dir", posixpath.dirname(_first(song.get("file")))]


def album_id_for(song: dict) -> str:
    raw = json.dumps(album_key(song), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode_album_id(album_id: str) -> list[str]:
    try:
        raw = base64.urlsafe_b64decode(album_id + "=" * (-len(album_id) % 4))
        key = json.loads(raw)
    except (ValueError, TypeError):
        raise MediaServerNotFound(f"{album_id!r} is not an MPD album id") from None
    if not isinstance(key, list) or len(key) < 2 or key[0] not in ("tag", "dir"):
        raise MediaServerNotFound(f"{album_id!r} is not an MPD album id")
    return key


def _number(value: object) -> int:
    text = _first(value).split("/")[0]
    return int(text) if text.isdigit() else 0


def _order(song: dict) -> tuple:
    return (_number(song.get("disc")), _number(song.get("track")), _first(song.get("file")))


def _track_from(song: dict) -> Track:
    uri = _first(song.get("file"))
    artist = _first(song.get("artist"))
    album_artist = _first(song.get("albumartist")) or artist
    duration = _first(song.get("duration")) or _first(song.get("time"))
    return Track(
        id=uri,
        title=_first(song.get("title")) or posixpath.splitext(posixpath.basename(uri))[0],
        artist=artist,
        album=_first(song.get("album")) or posixpath.basename(posixpath.dirname(uri)),
        album_artist=album_artist,
        duration_seconds=float(duration) if duration else None,
        year=year_from(_first(song.get("date")) or _first(song.get("originaldate"))),
        path=uri,
        album_id=album_id_for(song),
        artist_id=artist_id_from_name(artist),
    )


def _sticker_values(found: list[dict]) -> dict[str, str]:
    """sticker find answers [{'file': uri, 'sticker': 'name=value'}]."""
    values = {}
    for entry in found:
        _, _, value = str(entry.get("sticker", "")).partition("=")
        values[str(entry.get("file"))] = value.strip()
    return values


def _sticker_time(value: str | None) -> datetime | None:
    """Clients write lastPlayed as Unix seconds (myMPD) or ISO 8601."""
    if not value:
        return None
    if value.isdigit():
        return datetime.fromtimestamp(int(value), tz=UTC)
    return parse_datetime(value)
