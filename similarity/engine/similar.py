"""Songs like a seed song: the standard ranking and the radius walk.

Both take the seed and its index neighbours (nearest first) and return
``Pick``s with cosine distances to the seed.

Standard: drop near-duplicates, copies of the same song, songs of another
mood (optional) and artists over the cap; the ``n`` nearest that remain.

Radius walk: the same filters, then a walk through the candidates grouped
into buckets by distance to the seed. Each step looks at a few buckets
nearest the seed that still hold candidates and takes the one minimising
``0.7 * distance to the previous pick + 0.3 * distance to the seed``, so
consecutive songs flow into each other without drifting away from the seed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from similarity.engine.filters import (
    DuplicateRule,
    cap_per_artist,
    drop_near_duplicates,
    drop_same_songs,
    filter_by_mood,
)
from similarity.engine.songs import Metric, Pick, Song, distances_to, stack_vectors, unit_rows

PREVIOUS_WEIGHT = 0.7
SEED_WEIGHT = 0.3
BUCKETS_TO_SCAN = 3
MIN_BUCKET_SIZE = 5
# An artist may recur in at most this many buckets while the cap applies,
# so one artist does not run through the whole walk.
MAX_BUCKETS_PER_ARTIST = 2


@dataclass(frozen=True)
class SimilarRules:
    """duplicates: near-copy rule; max_per_artist: None = no cap; mood_threshold: None = no mood filter."""

    duplicates: DuplicateRule
    max_per_artist: int | None
    mood_threshold: float | None = None


def similar_standard(*, seed: Song, candidates: Sequence[Song], rules: SimilarRules, n: int) -> list[Pick]:
    """The ``n`` nearest candidates that pass every filter, nearest first."""
    kept = prefilter(candidates, rules=rules, chosen=[seed], mood_anchor=seed.features)
    return _nearest(cap_per_artist(kept, cap=rules.max_per_artist)[:n], target=seed.vector)


def similar_radius(*, seed: Song, candidates: Sequence[Song], rules: SimilarRules, n: int) -> list[Pick]:
    """Up to ``n`` candidates in radius-walk order (see the module docstring)."""
    kept = prefilter(candidates, rules=rules, chosen=[seed], mood_anchor=seed.features)
    walk = _RadiusWalk(seed=seed, candidates=kept, rules=rules, bucket_size=max(MIN_BUCKET_SIZE, n // 10))
    return walk.run(n=n)


def nearest_new_songs(
    *, target: np.ndarray, candidates: Sequence[Song], chosen: Sequence[Song], rules: SimilarRules, n: int
) -> list[Pick]:
    """The ``n`` candidates nearest ``target`` that are new next to ``chosen`` (not them, their copies
    or their titles) and pass the filters; distances to ``target``, nearest first."""
    kept = prefilter(candidates, rules=rules, chosen=chosen)
    return _nearest(cap_per_artist(kept, cap=rules.max_per_artist)[:n], target=target)


def prefilter(
    candidates: Sequence[Song],
    *,
    rules: SimilarRules,
    chosen: Sequence[Song],
    mood_anchor: Mapping[str, float] | None = None,
) -> list[Song]:
    """Every filter but the artist cap: ``chosen`` songs, copies of them or of each other, same titles, moods."""
    chosen_ids = {song.item_id for song in chosen}
    others = [song for song in candidates if song.item_id not in chosen_ids]
    kept = drop_near_duplicates(others, rule=rules.duplicates, references=[song.vector for song in chosen])
    kept = drop_same_songs(kept, taken=[song.signature for song in chosen])
    if rules.mood_threshold is not None and mood_anchor is not None:
        kept = filter_by_mood(kept, anchor_features=mood_anchor, threshold=rules.mood_threshold)
    return kept


def _nearest(songs: Sequence[Song], *, target: np.ndarray) -> list[Pick]:
    distances = distances_to(stack_vectors(songs, dimensions=len(target)), target, metric=Metric.ANGULAR)
    return [Pick(song.item_id, float(d)) for song, d in zip(songs, distances, strict=True)]


class _RadiusWalk:
    def __init__(self, *, seed: Song, candidates: list[Song], rules: SimilarRules, bucket_size: int) -> None:
        self.rules = rules
        vectors = stack_vectors(candidates, dimensions=len(seed.vector))
        to_seed = distances_to(vectors, seed.vector, metric=Metric.ANGULAR)
        order = np.argsort(to_seed, kind="stable")
        self.songs = [candidates[i] for i in order]
        self.to_seed = to_seed[order]
        self.vectors = unit_rows(vectors[order])
        self.artists = np.asarray([song.artist.casefold() for song in self.songs], dtype=object)
        self.bucket = np.arange(len(self.songs)) // bucket_size
        self.available = np.ones(len(self.songs), dtype=bool)
        self.artist_counts: Counter[str] = Counter()
        self.artist_buckets: defaultdict[str, set[int]] = defaultdict(set)
        self.picked: list[int] = []

    def run(self, *, n: int) -> list[Pick]:
        while len(self.picked) < n:
            choice = self._next()
            if choice is None:
                break
            self._take(choice)
        return [Pick(self.songs[i].item_id, float(self.to_seed[i])) for i in self.picked]

    def _next(self) -> int | None:
        window = self._window()
        if window.size == 0:
            return None
        if not self.picked:
            return int(window[np.argmin(self.to_seed[window])])
        previous = self.vectors[self.picked[-1]]
        to_previous = 1.0 - self.vectors[window] @ previous
        scores = PREVIOUS_WEIGHT * to_previous + SEED_WEIGHT * self.to_seed[window]
        return int(window[np.argmin(scores)])

    def _window(self) -> np.ndarray:
        """Available candidates in the BUCKETS_TO_SCAN buckets nearest the seed that still hold any."""
        available = np.flatnonzero(self.available)
        if available.size == 0:
            return available
        first_bucket = self.bucket[available[0]]
        window = available[self.bucket[available] < first_bucket + BUCKETS_TO_SCAN]
        preferred = [i for i in window if self._spread_ok(i)]
        # The spread rule is a preference: dropping it beats returning fewer than n songs.
        return np.asarray(preferred, dtype=int) if preferred else window

    def _spread_ok(self, index: int) -> bool:
        if self.rules.max_per_artist is None:
            return True
        buckets = self.artist_buckets[self.artists[index]]
        return len(buckets) < MAX_BUCKETS_PER_ARTIST or int(self.bucket[index]) in buckets

    def _take(self, index: int) -> None:
        """Record the pick; candidates that can no longer be picked leave for good."""
        artist = self.artists[index]
        self.artist_counts[artist] += 1
        self.artist_buckets[artist].add(int(self.bucket[index]))
        self.available[index] = False
        self.picked.append(index)
        rule = self.rules.duplicates
        if rule.metric is Metric.ANGULAR:  # rows are unit length: one product per candidate
            to_pick = 1.0 - self.vectors @ self.vectors[index]
        else:
            to_pick = distances_to(self.vectors, self.vectors[index], metric=rule.metric)
        self.available &= to_pick >= rule.threshold
        cap = self.rules.max_per_artist
        if cap is not None and self.artist_counts[artist] >= cap:
            self.available &= self.artists != artist
