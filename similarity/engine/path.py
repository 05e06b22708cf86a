"""Song path: a smooth sequence of songs from a start song to an end song.

Points are interpolated between the two songs (along the great circle for
the angular metric, along the straight line for euclidean) and each
intermediate point gets the nearest song that is unused, not a near-copy of
the path so far or of the end song, not the same title/artist, and whose
artist is under the cap.

Without ``fix_size`` a point with no acceptable song is skipped (shorter
path). With it, a failing point is merged with the next one: the merged job
searches around the middle of both, wider, for both their songs; the last
job widens its search instead, so the requested length is reached whenever
the library has enough acceptable songs.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from similarity.engine.filters import DuplicateRule
from similarity.engine.songs import Metric, Song, distance, unit


class NeighbourLookup(Protocol):
    """Where the songs come from: the ``k`` nearest a point (or each of several points), nearest first."""

    def nearest(self, vector: np.ndarray, k: int) -> Sequence[Song]: ...

    def nearest_many(self, vectors: np.ndarray, k: int) -> Sequence[Sequence[Song]]: ...


PARALLEL_EPSILON = 1e-9


@dataclass(frozen=True)
class PathRules:
    """metric: interpolation and step distances; candidates_per_step: k around one point;
    max_candidates: the widest search one job may make."""

    metric: Metric
    duplicates: DuplicateRule
    max_per_artist: int | None
    candidates_per_step: int
    max_candidates: int


@dataclass(frozen=True)
class SongPath:
    """songs: start, intermediates, end; step_distances[i] is between songs i and i + 1."""

    songs: tuple[Song, ...]
    step_distances: tuple[float, ...]

    @property
    def total_distance(self) -> float:
        return float(sum(self.step_distances))


def interpolate(start: np.ndarray, end: np.ndarray, *, count: int, metric: Metric) -> np.ndarray:
    """``count`` points from ``start`` to ``end`` inclusive, evenly spaced; shape (count, d)."""
    return np.stack([point_between(start, end, fraction=t, metric=metric) for t in np.linspace(0.0, 1.0, count)])


def point_between(start: np.ndarray, end: np.ndarray, *, fraction: float, metric: Metric) -> np.ndarray:
    """The point ``fraction`` of the way from start to end (slerp for angular, lerp for euclidean)."""
    start = np.asarray(start, dtype=np.float64)
    end = np.asarray(end, dtype=np.float64)
    if metric is Metric.EUCLIDEAN:
        return (1.0 - fraction) * start + fraction * end
    first, second = unit(start), unit(end)
    angle = float(np.arccos(np.clip(np.dot(first, second), -1.0, 1.0)))
    if np.sin(angle) < PARALLEL_EPSILON:
        if angle < 1.0:
            return first  # same direction: every point of the way is that direction
        # Opposite directions: every great circle joins them; go through any perpendicular one.
        return np.cos(fraction * np.pi) * first + np.sin(fraction * np.pi) * _perpendicular(first)
    weight_start = np.sin((1.0 - fraction) * angle) / np.sin(angle)
    weight_end = np.sin(fraction * angle) / np.sin(angle)
    return weight_start * first + weight_end * second


def _perpendicular(vector: np.ndarray) -> np.ndarray:
    axis = np.zeros_like(vector)
    axis[int(np.argmin(np.abs(vector)))] = 1.0
    return unit(axis - np.dot(axis, vector) * vector)


def song_path(
    *, start: Song, end: Song, length: int, lookup: NeighbourLookup, rules: PathRules, fix_size: bool
) -> SongPath:
    """The path of at most ``length`` songs (both ends included) from ``start`` to ``end``."""
    state = _PathState(start=start, end=end, rules=rules)
    fractions = np.linspace(0.0, 1.0, max(length, 2))[1:-1]
    centres = [state.centre((float(t),)) for t in fractions]
    # One batched search for every point; merged or widened jobs search again on their own.
    nearby = lookup.nearest_many(np.stack(centres), rules.candidates_per_step) if centres else []
    jobs = [
        _Job(fractions=(float(t),), k=rules.candidates_per_step, candidates=tuple(songs))
        for t, songs in zip(fractions, nearby, strict=True)
    ]
    if fix_size:
        _run_merging(jobs, state=state, lookup=lookup)
    else:
        for job in jobs:
            _fill(job, state=state, lookup=lookup, partial=True)
    songs = (start, *state.intermediates, end)
    steps = tuple(distance(a.vector, b.vector, metric=rules.metric) for a, b in itertools.pairwise(songs))
    return SongPath(songs=songs, step_distances=steps)


@dataclass(frozen=True)
class _Job:
    """One or more interpolation points (as fractions of the way) searched together."""

    fractions: tuple[float, ...]
    k: int
    candidates: tuple[Song, ...] | None = field(default=None, repr=False)  # already looked up

    @property
    def count(self) -> int:
        return len(self.fractions)

    def merged_with(self, other: _Job, *, max_candidates: int) -> _Job:
        return _Job(fractions=self.fractions + other.fractions, k=min(self.k + other.k, max_candidates))


def _run_merging(jobs: list[_Job], *, state: _PathState, lookup: NeighbourLookup) -> None:
    position = 0
    while position < len(jobs):
        job = jobs[position]
        if _fill(job, state=state, lookup=lookup, partial=False):
            position += 1
        elif position + 1 < len(jobs):
            jobs[position : position + 2] = [job.merged_with(jobs[position + 1], max_candidates=state.max_k)]
        elif job.k < state.max_k:
            jobs[position] = _Job(fractions=job.fractions, k=min(job.k * 2, state.max_k))  # no candidates: search
        else:
            _fill(job, state=state, lookup=lookup, partial=True)  # the library has no more: keep what fits
            position += 1


def _fill(job: _Job, *, state: _PathState, lookup: NeighbourLookup, partial: bool) -> bool:
    """Add ``job.count`` songs near the job's centre; all or nothing unless ``partial``."""
    candidates = job.candidates if job.candidates is not None else lookup.nearest(state.centre(job.fractions), job.k)
    found: list[Song] = []
    for song in candidates:
        if len(found) == job.count:
            break
        if state.accepts(song, pending=found):
            found.append(song)
    if len(found) < job.count and not partial:
        return False
    state.add(sorted(found, key=state.progress))
    return True


class _PathState:
    """What the path holds so far and the rules a new song must pass."""

    def __init__(self, *, start: Song, end: Song, rules: PathRules) -> None:
        self.start, self.end, self.rules = start, end, rules
        self.intermediates: list[Song] = []
        self.used_ids = {start.item_id, end.item_id}
        self.used_signatures = {start.signature, end.signature}
        self.artist_counts = Counter(song.artist.casefold() for song in (start, end))
        self.direction = np.asarray(end.vector, dtype=np.float64) - np.asarray(start.vector, dtype=np.float64)
        self.max_k = max(rules.max_candidates, rules.candidates_per_step)

    def accepts(self, song: Song, *, pending: Sequence[Song]) -> bool:
        if song.item_id in self.used_ids or song.signature in self.used_signatures:
            return False
        if any(song.item_id == other.item_id or song.signature == other.signature for other in pending):
            return False
        cap = self.rules.max_per_artist
        artist = song.artist.casefold()
        same_artist_pending = sum(1 for other in pending if other.artist.casefold() == artist)
        if cap is not None and self.artist_counts[artist] + same_artist_pending >= cap:
            return False
        rule = self.rules.duplicates
        recent = [s.vector for s in (self.start, *self.intermediates, *pending)]
        return not (rule.is_duplicate(song.vector, of=recent) or rule.is_duplicate(song.vector, of=[self.end.vector]))

    def add(self, songs: Sequence[Song]) -> None:
        for song in songs:
            self.intermediates.append(song)
            self.used_ids.add(song.item_id)
            self.used_signatures.add(song.signature)
            self.artist_counts[song.artist.casefold()] += 1

    def centre(self, fractions: Sequence[float]) -> np.ndarray:
        """The point a job searches around: the middle of its fractions of the way."""
        fraction = float(np.mean(fractions))
        return point_between(self.start.vector, self.end.vector, fraction=fraction, metric=self.rules.metric)

    def progress(self, song: Song) -> float:
        """How far along the start -> end direction a song lies, to order a job's songs."""
        offset = np.asarray(song.vector, dtype=np.float64) - np.asarray(self.start.vector, dtype=np.float64)
        return float(offset @ self.direction)
