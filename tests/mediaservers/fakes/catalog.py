"""What a fake server "has scanned": albums and tracks, from real files or synthetic.

Fakes give these their own id formats (Jellyfin hex GUIDs, Emby numbers,
Navidrome hashes, Lyrion integers); the catalog only holds the facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mutagen


@dataclass
class FakeTrack:
    key: int
    title: str
    artist: str
    album_artist: str
    album: str
    year: int | None
    duration_seconds: float
    track_number: int | None
    created: datetime
    path: Path | None  # None for synthetic tracks (no audio to download)
    album_key: int = -1


@dataclass
class FakeAlbum:
    key: int
    name: str
    artist: str
    year: int | None
    library: str
    tracks: list[FakeTrack] = field(default_factory=list)

    @property
    def created(self) -> datetime:
        return max(track.created for track in self.tracks)


@dataclass
class Catalog:
    albums: list[FakeAlbum]
    root: Path | None = None

    @property
    def tracks(self) -> list[FakeTrack]:
        return [track for album in self.albums for track in album.tracks]

    @property
    def libraries(self) -> list[str]:
        return sorted({album.library for album in self.albums})

    def track_by_title(self, title: str) -> FakeTrack:
        return next(track for track in self.tracks if track.title == title)

    @classmethod
    def from_music_dir(cls, root: Path, *, untagged_album: str | None = None) -> Catalog:
        """Scan like a server would: tag album, else the folder (or ``untagged_album``)."""
        albums: dict[tuple[str, str], FakeAlbum] = {}
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            tags, duration = _tags(path)
            name = tags.get("album") or untagged_album or path.parent.name
            artist = tags.get("albumartist") or tags.get("artist") or ""
            album = albums.get((artist, name))
            if album is None:
                album = albums[(artist, name)] = FakeAlbum(len(albums), name, artist, _year(tags), "Music")
            album.tracks.append(
                FakeTrack(
                    key=sum(len(a.tracks) for a in albums.values()),
                    title=tags.get("title") or path.stem,
                    artist=tags.get("artist") or "",
                    album_artist=artist,
                    album=name,
                    year=_year(tags),
                    duration_seconds=duration or 1.0,
                    track_number=int(tags["tracknumber"]) if tags.get("tracknumber") else None,
                    created=datetime.fromtimestamp(path.stat().st_mtime, tz=UTC),
                    path=path,
                    album_key=album.key,
                )
            )
        return cls(albums=list(albums.values()), root=root)

    @classmethod
    def synthetic(cls, *, albums: int, tracks_per_album: int) -> Catalog:
        """A large library without audio, for paging tests."""
        start = datetime(2020, 1, 1, tzinfo=UTC)
        built = []
        for number in range(albums):
            album = FakeAlbum(number, f"Album {number:05d}", f"Artist {number % 500:03d}", 2000 + number % 25, "Music")
            for position in range(tracks_per_album):
                album.tracks.append(
                    FakeTrack(
                        key=number * tracks_per_album + position,
                        title=f"Song {number:05d}-{position:02d}",
                        artist=album.artist,
                        album_artist=album.artist,
                        album=album.name,
                        year=album.year,
                        duration_seconds=180.0,
                        track_number=position + 1,
                        created=start + timedelta(minutes=number),
                        path=None,
                        album_key=number,
                    )
                )
            built.append(album)
        return cls(albums=built)


def _tags(path: Path) -> tuple[dict[str, str], float | None]:
    audio = mutagen.File(path, easy=True)
    if audio is None:
        return {}, None
    tags = {key: values[0] for key, values in (audio.tags or {}).items() if values}
    return tags, audio.info.length


def _year(tags: dict[str, str]) -> int | None:
    date = tags.get("date", "")
    return int(date[:4]) if date[:4].isdigit() else None
