"""A small, real-audio music folder for analysis tests, made on the fly.

Each album holds a few distinct 6-second clips (chords, pulses, noise colours)
written as tagged FLAC files, so every track decodes and gets its own
embedding. Helpers add the awkward files real libraries contain.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile
from mutagen.flac import FLAC

SAMPLE_RATE = 22050
CLIP_SECONDS = 6.0


def clip(seed: int) -> np.ndarray:
    """A distinct stereo clip: a chord over a pulse over coloured noise, chosen by ``seed``."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(SAMPLE_RATE * CLIP_SECONDS)) / SAMPLE_RATE
    root = 110.0 * 2 ** (rng.integers(0, 24) / 12)
    chord = sum(np.sin(2 * np.pi * root * ratio * t) for ratio in (1.0, 1.26, 1.5)) / 3
    bpm = rng.uniform(70, 160)
    pulse = (np.sin(2 * np.pi * t * bpm / 60) > 0.95).astype(float) * rng.uniform(0.2, 0.8)
    noise = np.cumsum(rng.normal(size=t.size)) if seed % 2 else rng.normal(size=t.size)
    noise = noise / (np.abs(noise).max() + 1e-9)
    mono = 0.4 * chord + 0.3 * pulse + 0.15 * noise
    return np.stack([mono, np.roll(mono, 50)], axis=1).astype(np.float32) * 0.8


def write_album(music_dir: Path, *, artist: str, album: str, tracks: int, seed: int) -> list[Path]:
    paths = []
    for number in range(1, tracks + 1):
        path = music_dir / artist / album / f"{number:02d} - Track {number}.flac"
        path.parent.mkdir(parents=True, exist_ok=True)
        soundfile.write(path, clip(seed * 100 + number), SAMPLE_RATE, format="FLAC")
        tags = FLAC(path)
        tags.update(
            {"title": f"{album} {number}", "artist": artist, "albumartist": artist, "album": album,
             "tracknumber": str(number), "date": "2020"}
        )  # fmt: skip
        tags.save()
        paths.append(path)
    return paths


def write_corrupt_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(np.random.default_rng(3).bytes(40_000))
    return path


def write_silent_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, np.zeros(SAMPLE_RATE * 5, dtype=np.float32), SAMPLE_RATE)
    return path
