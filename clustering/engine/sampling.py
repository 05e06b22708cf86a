"""Stratified sampling by primary genre, perturbed a little from one run to the next.

Every track belongs to the stratum of its primary genre: the most probable of
the STRATIFIED_GENRES among its moods, or the "no genre" stratum when none of
them has any probability. Each stratum contributes at most ``target`` tracks,

    target = max(min_songs_per_genre, percentile(genre sizes, target_percentile))

where the sizes are those of the stratified genres present, so large genres
are thinned to the size of a typical one and small ones are kept whole. A
library with fewer than ``min_songs_per_genre`` tracks in every genre is
clustered whole. Between runs ``change_per_run`` of each stratum's sample is
swapped for tracks the previous run did not have.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from clustering.engine.data import ClusteringData
from clustering.engine.defaults import SamplingSettings

NO_GENRE = ""


@dataclass(frozen=True, eq=False)
class SamplingPlan:
    """The strata of one library: ``pools[i]`` holds the rows whose primary genre is ``genres[i]``."""

    track_count: int
    genres: tuple[str, ...]
    pools: tuple[np.ndarray, ...]
    target_per_genre: int

    @property
    def sample_size(self) -> int:
        """How many tracks every run clusters."""
        return sum(min(len(pool), self.target_per_genre) for pool in self.pools)


def primary_genres(*, data: ClusteringData, stratified_genres: tuple[str, ...]) -> np.ndarray:
    """np.ndarray [shape=(n_tracks,)] of genre names, NO_GENRE where no stratified genre has any probability."""
    wanted = set(stratified_genres)
    columns = [column for column, label in enumerate(data.layout.mood_labels) if label in wanted]
    genres = np.full(data.track_count, NO_GENRE, dtype=object)
    if not columns:
        return genres
    probabilities = data.moods[:, columns]
    best = np.argmax(probabilities, axis=1)
    labels = np.array([data.layout.mood_labels[column] for column in columns], dtype=object)
    has_genre = probabilities.max(axis=1) > 0
    genres[has_genre] = labels[best[has_genre]]
    return genres


def sampling_plan(*, data: ClusteringData, settings: SamplingSettings) -> SamplingPlan:
    """Group the library's rows by primary genre and fix the per-genre target."""
    genres = primary_genres(data=data, stratified_genres=settings.stratified_genres)
    names = tuple(sorted(set(genres.tolist())))
    pools = tuple(np.flatnonzero(genres == name) for name in names)
    genre_sizes = [len(pool) for name, pool in zip(names, pools, strict=True) if name != NO_GENRE]
    typical = math.ceil(np.percentile(genre_sizes, settings.target_percentile)) if genre_sizes else 0
    return SamplingPlan(
        track_count=data.track_count,
        genres=names,
        pools=pools,
        target_per_genre=max(settings.min_songs_per_genre, typical),
    )


def stratified_sample(
    *, plan: SamplingPlan, previous: np.ndarray | None, change_per_run: float, rng: np.random.Generator
) -> np.ndarray:
    """Rows for the next run, sorted: np.ndarray [shape=(plan.sample_size,)].

    previous: the rows of the previous run (None for the first run of a batch);
    about ``1 - change_per_run`` of each stratum's share of it is kept.
    """
    in_previous = np.zeros(plan.track_count, dtype=bool)
    if previous is not None:
        in_previous[previous] = True
    parts = []
    for pool in plan.pools:
        quota = min(len(pool), plan.target_per_genre)
        if previous is None or quota == len(pool):
            parts.append(pool if quota == len(pool) else rng.choice(pool, size=quota, replace=False))
        else:
            parts.append(_perturbed(pool, quota=quota, in_previous=in_previous, change=change_per_run, rng=rng))
    return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.intp)


def _perturbed(
    pool: np.ndarray, *, quota: int, in_previous: np.ndarray, change: float, rng: np.random.Generator
) -> np.ndarray:
    """``quota`` rows of ``pool``: part of the previous sample, the rest new; short of new ones, more old ones."""
    before = pool[in_previous[pool]]
    fresh = pool[~in_previous[pool]]
    kept = rng.choice(before, size=min(len(before), round((1 - change) * quota)), replace=False)
    added = rng.choice(fresh, size=min(len(fresh), quota - len(kept)), replace=False)
    shortfall = quota - len(kept) - len(added)
    if shortfall > 0:
        spare = np.setdiff1d(before, kept, assume_unique=True)
        added = np.concatenate([added, rng.choice(spare, size=shortfall, replace=False)])
    return np.concatenate([kept, added])
