"""What the adapters hand back: albums, tracks, playlists and play counts, and the parsers of the servers' values.

Plain frozen dataclasses, the same for every server; ``base.MediaServerAdapter`` says which call returns which.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

NAME_ARTIST_ID_PREFIX = "name-"


@dataclass(frozen=True)
class Album:
    id: str
    name: str
    artist: str
    year: int | None
    created_at: datetime | None = None


@dataclass(frozen=True)
class PlaylistInfo:
    id: str
    name: str
    # None when the server cannot count without one request per playlist (Lyrion)
    track_count: int | None


@dataclass(frozen=True)
class PlayRecord:
    track_id: str
    play_count: int
    last_played: datetime | None
    title: str
    artist: str


@dataclass(frozen=True)
class Track:
    id: str
    title: str
    artist: str
    album: str
    album_artist: str
    duration_seconds: float | None
    year: int | None
    path: str | None
    album_id: str | None = None
    # The server's id of the track's artist (Jellyfin/Emby ArtistItems, Navidrome artistId, Lyrion
    # artist_id); servers without artist ids (MPD, local files) get ``artist_id_from_name(artist)``.
    artist_id: str | None = None


def artist_id_from_name(name: str) -> str | None:
    """A stable artist id for servers that have none: 'name-' and 16 hex digits of the name's SHA-1.

    The same name always gives the same id (case and surrounding spaces ignored); None for no name.
    """
    folded = name.strip().casefold()
    if not folded:
        return None
    return NAME_ARTIST_ID_PREFIX + hashlib.sha1(folded.encode("utf-8")).hexdigest()[:16]


def year_from(value: object) -> int | None:
    """'2001', '2001-05-03', 2001 -> 2001; anything else -> None."""
    text = str(value or "").strip()
    if len(text) >= 4 and text[:4].isdigit():
        year = int(text[:4])
        return year if year > 0 else None
    return None


def parse_datetime(value: object) -> datetime | None:
    """ISO timestamps as servers write them ('...T10:00:00.1234567Z', naive, +02:00)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
