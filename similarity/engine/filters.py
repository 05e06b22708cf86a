"""Filters shared by similar songs, song path, alchemy and the fingerprint.

Each takes candidates nearest-first and returns the ones it keeps, in the
same order, so they chain: near-duplicates, same song, mood, artist cap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from similarity.engine.songs import Metric, Song, distance, pairwise_distances, stack_vectors


@dataclass(frozen=True)
class DuplicateRule:
    """Two tracks closer than ``threshold`` are one recording (another master, a compilation copy).

    Only the last ``lookback`` kept tracks are compared (0 = all of them): the
    candidates come nearest-first, so a copy of a track sits right after it.
    """

    threshold: float
    lookback: int
    metric: Metric = Metric.ANGULAR

    def is_duplicate(self, vector: np.ndarray, *, of: Sequence[np.ndarray]) -> bool:
        recent = of[-self.lookback :] if self.lookback > 0 else of
        return any(distance(vector, kept, metric=self.metric) < self.threshold for kept in recent)


def drop_near_duplicates(
    songs: Sequence[Song], *, rule: DuplicateRule, references: Sequence[np.ndarray] = ()
) -> list[Song]:
    """Songs that are no near-copy of any reference (the seed, the inputs) nor of the recently kept songs."""
    near_reference = np.zeros(len(songs), dtype=bool)
    if references and songs:
        to_references = pairwise_distances(stack_vectors(songs), np.stack(references), metric=rule.metric)
        near_reference = to_references.min(axis=1) < rule.threshold
    kept_vectors: list[np.ndarray] = []
    kept: list[Song] = []
    for song, is_copy in zip(songs, near_reference, strict=True):
        if is_copy or rule.is_duplicate(song.vector, of=kept_vectors):
            continue
        kept_vectors.append(song.vector)
        kept.append(song)
    return kept


def drop_same_songs(songs: Iterable[Song], *, taken: Iterable[tuple[str, str]] = ()) -> list[Song]:
    """Songs whose (title, artist) is neither in ``taken`` nor in an earlier kept song."""
    seen = set(taken)
    kept: list[Song] = []
    for song in songs:
        if song.signature in seen:
            continue
        seen.add(song.signature)
        kept.append(song)
    return kept


def cap_per_artist(songs: Iterable[Song], *, cap: int | None, counted: Mapping[str, int] | None = None) -> list[Song]:
    """At most ``cap`` songs per artist (``counted`` are already used); None keeps everything."""
    songs = list(songs)
    if cap is None:
        return songs
    counts = Counter({artist.casefold(): count for artist, count in (counted or {}).items()})
    kept: list[Song] = []
    for song in songs:
        artist = song.artist.casefold()
        if counts[artist] >= cap:
            continue
        counts[artist] += 1
        kept.append(song)
    return kept


def mood_distance(first: Mapping[str, float], second: Mapping[str, float]) -> float | None:
    """Mean absolute difference of the features both have, in [0, 1]; None when they share none."""
    shared = [name for name in first if name in second]
    if not shared:
        return None
    return float(np.mean([abs(float(first[name]) - float(second[name])) for name in shared]))


def filter_by_mood(songs: Iterable[Song], *, anchor_features: Mapping[str, float], threshold: float) -> list[Song]:
    """Songs whose other features differ from the anchor's by at most ``threshold``.

    A song without features cannot be judged and is kept; an anchor without
    features disables the filter.
    """
    songs = list(songs)
    if not anchor_features:
        return songs
    kept = []
    for song in songs:
        difference = mood_distance(anchor_features, song.features)
        if difference is None or difference <= threshold:
            kept.append(song)
    return kept
