"""A plain folder of audio files (MEDIASERVER_TYPE=local, the default).

Ids are stable across rescans and machines:

- track id = first 16 hex digits of sha1 of the file's path relative to
  MUSIC_DIR (POSIX separators), e.g. sha1("Artist/Album/01.flac")[:16];
- album id = the same hash of "tag:<album artist>\\0<album>" for tagged files,
  or of "dir:<relative folder>" for files without an album tag, whose album is
  their folder's name.

"Recent" albums are the ones whose newest file (mtime) is newest. Playlists are
``.m3u8`` files in PLAYLIST_DIR with paths relative to the playlist, which MPD,
Navidrome, Jellyfin and most players import; their id is the file name.
The folder is scanned once per adapter instance (reuse one per job).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import mutagen

from mediaservers.adapters.base import Capability, MediaServerAdapter
from mediaservers.adapters.download import copy_file
from mediaservers.adapters.records import Album, PlaylistInfo, Track, artist_id_from_name, year_from
from mediaservers.errors import MediaServerNotFound, MediaServerUnavailable

logger = logging.getLogger("mediaservers")

AUDIO_EXTENSIONS = frozenset(
    {".mp3", ".flac", ".ogg", ".opus", ".wav", ".m4a", ".aac", ".wma", ".aiff", ".aif", ".ape", ".wv"}
)
PLAYLIST_EXTENSIONS = (".m3u8", ".m3u")
ID_HEX_DIGITS = 16
UNSAFE_NAME_CHARACTERS = str.maketrans({character: "_" for character in '/\\:*?"<>|\0'})


def stable_id(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:ID_HEX_DIGITS]


@dataclass
class _ScannedAlbum:
    album: Album
    newest_mtime: float
    tracks: list[tuple[tuple, Track]] = field(default_factory=list)


class LocalFolderAdapter(MediaServerAdapter):
    server_type = "local"
    static_capabilities = frozenset({Capability.DOWNLOAD, Capability.PLAYLISTS})

    def __init__(self, config):
        super().__init__(config)
        self.root = Path(config.music_dir).expanduser()
        self._albums: dict[str, _ScannedAlbum] | None = None
        self._tracks: dict[str, Track] = {}
        self._paths: dict[str, Path] | None = None

    @property
    def display_url(self) -> str:
        return str(self.root)

    def libraries(self) -> list[str]:
        self._require_root()
        return list(self.config.music_libraries) or [self.root.name or str(self.root)]

    # -- scanning ------------------------------------------------------------

    def _require_root(self) -> None:
        if not self.root.is_dir():
            raise MediaServerUnavailable(f"music folder {self.root} does not exist or is not mounted")

    def _scan(self) -> dict[str, _ScannedAlbum]:
        if self._albums is None:
            self._require_root()
            albums: dict[str, _ScannedAlbum] = {}
            for path in self._audio_files():
                self._add_file(albums, path)
            for scanned in albums.values():
                scanned.tracks.sort(key=lambda item: item[0])
            self._albums = albums
            logger.info("mediaserver.local.scanned", extra={"albums": len(albums), "tracks": len(self._tracks)})
        return self._albums

    def _audio_files(self) -> Iterator[Path]:
        playlist_dir = self.config.playlist_path.resolve()
        for top in self._library_roots():
            for folder, subfolders, files in os.walk(top):
                subfolders.sort()
                if Path(folder).resolve() == playlist_dir:
                    continue
                for name in sorted(files):
                    if Path(name).suffix.lower() in AUDIO_EXTENSIONS:
                        yield Path(folder) / name

    def _library_roots(self) -> list[Path]:
        """MUSIC_LIBRARIES names top-level folders of MUSIC_DIR; empty means all of it."""
        if not self.config.music_libraries:
            return [self.root]
        roots = [self.root / name for name in self.config.music_libraries]
        missing = [str(root.name) for root in roots if not root.is_dir()]
        if missing:
            raise MediaServerNotFound(f"library folder(s) not found in {self.root}: {', '.join(missing)}")
        return roots

    def _add_file(self, albums: dict[str, _ScannedAlbum], path: Path) -> None:
        track, order, mtime = self._read_track(path)
        scanned = albums.get(track.album_id)
        if scanned is None:
            album = Album(id=track.album_id, name=track.album, artist=track.album_artist, year=track.year)
            scanned = albums[track.album_id] = _ScannedAlbum(album=album, newest_mtime=mtime)
        scanned.newest_mtime = max(scanned.newest_mtime, mtime)
        scanned.tracks.append((order, track))
        self._tracks[track.id] = track

    def _read_track(self, path: Path) -> tuple[Track, tuple, float]:
        """The track a file is, its sort key within the album and its mtime."""
        relative = path.relative_to(self.root).as_posix()
        stat = path.stat()
        tags, duration = _read_tags_cached(str(path), stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
        parts = Path(relative).parts  # Artist/Album/track: the grandparent folder names the artist
        folder_artist = parts[-3] if len(parts) >= 3 else ""
        artist = tags.get("artist") or tags.get("albumartist") or folder_artist
        album_artist = tags.get("albumartist") or artist
        album_name = tags.get("album") or path.parent.name
        album_key = f"tag:{album_artist}\0{album_name}" if tags.get("album") else f"dir:{Path(relative).parent}"
        year = year_from(tags.get("date") or tags.get("originaldate"))
        track = Track(
            id=stable_id(relative),
            title=tags.get("title") or path.stem,
            artist=artist,
            album=album_name,
            album_artist=album_artist,
            duration_seconds=duration,
            year=year,
            path=str(path),
            album_id=stable_id(album_key),
            artist_id=artist_id_from_name(artist),
        )
        order = (_number(tags.get("discnumber")), _number(tags.get("tracknumber")), relative)
        return track, order, stat.st_mtime

    def _paths_by_id(self) -> dict[str, Path]:
        """Track id -> file from the folder listing alone: finding a few tracks reads no tags."""
        if self._paths is None:
            self._require_root()
            self._paths = {stable_id(path.relative_to(self.root).as_posix()): path for path in self._audio_files()}
        return self._paths

    # -- library ---------------------------------------------------------------

    def _iter_albums(self, *, recent: int | None) -> Iterator[Album]:
        scanned = list(self._scan().values())
        if recent is None:
            scanned.sort(key=lambda item: (item.album.artist.lower(), item.album.name.lower()))
        else:
            scanned.sort(key=lambda item: item.newest_mtime, reverse=True)
            scanned = scanned[:recent]
        for item in scanned:
            created = datetime.fromtimestamp(item.newest_mtime, tz=UTC)
            yield Album(item.album.id, item.album.name, item.album.artist, item.album.year, created)

    def album_tracks(self, album_id: str) -> list[Track]:
        scanned = self._scan().get(album_id)
        if scanned is None:
            raise MediaServerNotFound(f"no album {album_id} in {self.root}")
        return [track for _, track in scanned.tracks]

    def iter_tracks(self) -> Iterator[Track]:
        for scanned in self._scan().values():
            for _, track in scanned.tracks:
                yield track

    def count_albums(self) -> int:
        return len(self._scan())

    def _track(self, track_id: str) -> Track:
        # A playlist of 50 songs from a 100k-track folder should not read 100k files' tags.
        if track_id in self._tracks:
            return self._tracks[track_id]
        path = self._paths_by_id().get(track_id)
        if path is None:
            raise MediaServerNotFound(f"no track {track_id} in {self.root}")
        track = self._tracks[track_id] = self._read_track(path)[0]
        return track

    def _download_track(self, track: Track, dest_dir: Path) -> Path:
        source = Path(self._track(track.id).path or "")
        return copy_file(source, dest_dir=dest_dir, max_bytes=self.config.max_download_bytes)

    # -- playlists -------------------------------------------------------------

    def _create_playlist(self, name: str, track_ids: list[str]) -> str:
        folder = self.config.playlist_path
        folder.mkdir(parents=True, exist_ok=True)
        file_name = name.translate(UNSAFE_NAME_CHARACTERS).strip() + ".m3u8"
        lines = ["#EXTM3U"]
        for track_id in track_ids:
            track = self._track(track_id)
            seconds = round(track.duration_seconds) if track.duration_seconds else -1
            lines.append(f"#EXTINF:{seconds},{track.artist} - {track.title}")
            lines.append(Path(os.path.relpath(track.path or "", folder)).as_posix())
        _write_atomically(folder / file_name, "\n".join(lines) + "\n")
        return file_name

    def _list_playlists(self) -> list[PlaylistInfo]:
        folder = self.config.playlist_path
        if not folder.is_dir():
            return []
        playlists = []
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in PLAYLIST_EXTENSIONS and path.is_file():
                entries = [line for line in _read_lines(path) if line.strip() and not line.startswith("#")]
                playlists.append(PlaylistInfo(id=path.name, name=path.stem, track_count=len(entries)))
        return playlists

    def _delete_playlist(self, playlist_id: str) -> None:
        path = self.config.playlist_path / Path(playlist_id).name
        if not path.is_file():
            raise MediaServerNotFound(f"no playlist {playlist_id} in {self.config.playlist_path}")
        path.unlink()


@functools.lru_cache(maxsize=200_000)
def _read_tags_cached(path: str, mtime_ns: int, ctime_ns: int, size: int) -> tuple[dict[str, str], float | None]:
    """Tags of an unchanged file are read once per process.

    Every album job builds its own adapter and scans the folder; without this
    each job would re-read the tags of the whole library. Any write to the file
    changes its ctime, so the key never serves stale tags. Callers must not
    modify the returned dict.
    """
    return _read_tags(Path(path))


def _read_tags(path: Path) -> tuple[dict[str, str], float | None]:
    """Easy tags (first value of each) and duration; an unreadable file just has no tags."""
    try:
        audio = mutagen.File(path, easy=True)
    except Exception:  # mutagen raises many types for damaged files
        logger.warning("mediaserver.local.unreadable_tags", extra={"path": str(path)})
        return {}, None
    if audio is None:
        return {}, None
    duration = getattr(audio.info, "length", None)
    tags = {}
    for key, values in (audio.tags or {}).items():
        value = values[0] if isinstance(values, list) and values else values
        if isinstance(value, str) and value.strip():
            tags[key.lower()] = value.strip()
    return tags, duration


def _number(value: str | None) -> int:
    """'3/12' -> 3; missing -> 0 so untagged files sort by name."""
    text = (value or "").split("/")[0].strip()
    return int(text) if text.isdigit() else 0


def _read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def _write_atomically(path: Path, text: str) -> None:
    """Write next to the target and rename, so a reader never sees half a playlist."""
    handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as output:
            output.write(text)
        # mkstemp makes the file private; players running as other users must read it
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
