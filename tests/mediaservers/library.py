"""The small music library every backend of the contract suite serves.

Three albums, four tracks, each a one-second tone with a distinct pitch so
the files' bytes differ:

- "First Album" by Alpha Artist (FLAC, 2 tracks, newest files),
- "Second Album" by Beta Band (MP3, 1 track),
- an untagged WAV in "Loose Files" (oldest), whose album only folder names give.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
from mutagen.easyid3 import EasyID3
from mutagen.flac import FLAC

SAMPLE_RATE = 22050


@dataclass(frozen=True)
class SourceTrack:
    relative_path: str
    title: str | None
    artist: str | None
    album: str | None
    year: int | None
    track_number: int | None
    pitch_hz: float
    age_seconds: int  # how long ago the file was "added" (its mtime)


SOURCE_TRACKS = (
    SourceTrack(
        "Alpha Artist/First Album/01 - Opening.flac", "Opening", "Alpha Artist", "First Album", 2001, 1, 440, 100
    ),
    SourceTrack(
        "Alpha Artist/First Album/02 - Closing.flac", "Closing", "Alpha Artist", "First Album", 2001, 2, 550, 90
    ),
    SourceTrack(
        "Beta Band/Second Album/01 - Only Song.mp3", "Only Song", "Beta Band", "Second Album", 2010, 1, 660, 5000
    ),
    SourceTrack("Loose Files/untagged tone.wav", None, None, None, None, None, 330, 90000),
)
TAGGED_ALBUMS = ("First Album", "Second Album")
ALBUM_COUNT = 3
TRACK_COUNT = len(SOURCE_TRACKS)


def write_library(root: Path) -> Path:
    """Create the audio files under ``root`` with tags and staggered mtimes."""
    now = time.time()
    for source in SOURCE_TRACKS:
        path = root / source.relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_tone(path, source.pitch_hz)
        _write_tags(path, source)
        os.utime(path, (now - source.age_seconds, now - source.age_seconds))
    return root


def _write_tone(path: Path, pitch_hz: float) -> None:
    seconds = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    signal = (0.3 * np.sin(2 * np.pi * pitch_hz * seconds)).astype("float32")
    soundfile.write(path, signal, SAMPLE_RATE, format=path.suffix[1:].upper())


def _write_tags(path: Path, source: SourceTrack) -> None:
    if source.title is None:
        return
    tags = {
        "title": source.title,
        "artist": source.artist,
        "albumartist": source.artist,
        "album": source.album,
        "date": str(source.year),
        "tracknumber": str(source.track_number),
    }
    if path.suffix == ".flac":
        audio = FLAC(path)
        audio.update(tags)
        audio.save()
    elif path.suffix == ".mp3":
        audio = EasyID3()
        audio.update(tags)
        audio.save(path)


def source_by_title(root: Path, title: str) -> Path:
    """The file a backend's track came from; untagged tracks are titled by file name."""
    for source in SOURCE_TRACKS:
        if title in (source.title, Path(source.relative_path).stem, Path(source.relative_path).name):
            return root / source.relative_path
    raise KeyError(title)
