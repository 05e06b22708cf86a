"""The values every similarity algorithm passes around, and the two distance metrics.

A ``Song`` is what the algorithms need to know about a track: its id, the
title and artist used to spot duplicates and cap artists, its embedding
direction and, for the mood filter, its "other features".
"""

from __future__ import annotations

import enum
import functools
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

_SPACES = re.compile(r"\s+")


class Metric(enum.StrEnum):
    """``angular``: cosine distance ``1 - cos``; ``euclidean``: straight-line distance."""

    ANGULAR = "angular"
    EUCLIDEAN = "euclidean"


@dataclass(frozen=True, eq=False)
class Song:
    """One track as the algorithms see it.

    vector: np.ndarray [shape=(d,)], unit length (the index stores directions).
    features: the "other features" (danceable, aggressive, ...) in [0, 1]; may be empty.
    """

    item_id: str
    title: str
    artist: str
    vector: np.ndarray
    features: Mapping[str, float] = field(default_factory=dict)

    @functools.cached_property
    def signature(self) -> tuple[str, str]:
        return song_signature(title=self.title, artist=self.artist)


@dataclass(frozen=True)
class Pick:
    """A chosen track and its distance to whatever the feature measures from (seed, centroid, ...)."""

    item_id: str
    distance: float


def song_signature(*, title: str, artist: str) -> tuple[str, str]:
    """(title, artist) folded so that case, accents and spacing do not make two copies look different."""
    return _fold(title), _fold(artist)


def _fold(text: str) -> str:
    if not text or text.isascii():  # the common case, without the Unicode tables
        return " ".join((text or "").split()).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(character for character in decomposed if not unicodedata.combining(character))
    return _SPACES.sub(" ", stripped).strip().casefold()


def unit(vector: np.ndarray) -> np.ndarray:
    """``vector`` scaled to length 1 (a zero vector stays zero)."""
    vector = np.asarray(vector, dtype=np.float64)
    norm = math.sqrt(float(vector @ vector))
    return vector / norm if norm > 0 else vector


def distance(first: np.ndarray, second: np.ndarray, *, metric: Metric) -> float:
    """Distance between two vectors; angular ignores their lengths."""
    first = np.asarray(first, dtype=np.float64)
    second = np.asarray(second, dtype=np.float64)
    if metric is Metric.ANGULAR:
        lengths = math.sqrt(float(first @ first) * float(second @ second))
        return 1.0 - float(first @ second) / lengths if lengths > 0 else 1.0
    difference = first - second
    return math.sqrt(float(difference @ difference))


def distances_to(vectors: np.ndarray, target: np.ndarray, *, metric: Metric) -> np.ndarray:
    """Distance of every row of ``vectors`` [shape=(n, d)] to ``target`` [shape=(d,)]; shape (n,)."""
    vectors = np.asarray(vectors, dtype=np.float64)
    if len(vectors) == 0:
        return np.empty(0)
    if metric is Metric.ANGULAR:
        norms = np.linalg.norm(vectors, axis=1)
        norms[norms == 0] = 1.0
        return 1.0 - (vectors @ unit(target)) / norms
    return np.linalg.norm(vectors - np.asarray(target, dtype=np.float64), axis=1)


def pairwise_distances(first: np.ndarray, second: np.ndarray, *, metric: Metric) -> np.ndarray:
    """Distances between every row of ``first`` [shape=(n, d)] and of ``second`` [shape=(m, d)]; shape (n, m)."""
    first = np.asarray(first, dtype=np.float64)
    second = np.asarray(second, dtype=np.float64)
    if metric is Metric.ANGULAR:
        return 1.0 - unit_rows(first) @ unit_rows(second).T
    squared = (first**2).sum(axis=1)[:, None] + (second**2).sum(axis=1)[None, :] - 2.0 * first @ second.T
    return np.sqrt(np.maximum(squared, 0.0))


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Every row of ``vectors`` [shape=(n, d)] scaled to length 1 (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def stack_vectors(songs: Sequence[Song], *, dimensions: int = 0) -> np.ndarray:
    """The songs' vectors as one [shape=(n, d)] float64 matrix."""
    if not songs:
        return np.empty((0, dimensions))
    return np.stack([np.asarray(song.vector, dtype=np.float64) for song in songs])
