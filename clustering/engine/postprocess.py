"""Clean-up of the best clustering into playlists.

For each cluster, tracks are ordered nearest-first to the cluster's mean
embedding, then in this order:

1. near-duplicates go: a track within ``duplicate_distance_threshold_cosine``
   (cosine, on embeddings) of one of the last ``duplicate_distance_check_lookback``
   kept tracks (0 = all of them) is another copy of it; nearest-first order
   puts copies next to each other, so a short lookback finds them;
2. at most ``max_songs_per_artist`` tracks per artist (case-insensitive; tracks
   with no artist are not capped), the ones nearest the centre kept;
3. at most ``max_songs_per_cluster`` tracks (0 = no limit), nearest first;
4. playlists below ``min_playlist_size_for_top_n`` tracks are dropped;
5. the ``top_n_playlists`` most different remain (0 = all): the largest first,
   then repeatedly the one farthest (Euclidean, score-space centroids) from
   its nearest already chosen one;
6. each playlist is shuffled (Fisher-Yates) with the caller's generator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from clustering.engine.data import ClusteringData
from clustering.engine.defaults import PostProcessingSettings


@dataclass(frozen=True)
class PlaylistDraft:
    """A cleaned playlist before naming; ``centroid`` is its members' mean score vector."""

    item_ids: tuple[str, ...]
    centroid: tuple[float, ...]


def postprocess_playlists(
    *,
    clusters: Sequence[Sequence[str]],
    data: ClusteringData,
    settings: PostProcessingSettings,
    rng: np.random.Generator,
) -> tuple[PlaylistDraft, ...]:
    """Apply the module's steps to ``clusters`` (item ids per cluster, all present in ``data``)."""
    cleaned = [_cleaned_rows(data.rows_of(cluster), data=data, settings=settings) for cluster in clusters]
    kept = [rows for rows in cleaned if len(rows) >= settings.min_playlist_size_for_top_n]
    centroids = np.array([data.score_vectors[rows].astype(np.float64).mean(axis=0) for rows in kept])
    chosen = most_different(centroids=centroids, sizes=[len(rows) for rows in kept], count=settings.top_n_playlists)
    item_ids = data.item_id_array
    return tuple(
        PlaylistDraft(
            item_ids=tuple(item_ids[fisher_yates_shuffled(kept[index], rng=rng)].tolist()),
            centroid=tuple(centroids[index].tolist()),
        )
        for index in chosen
    )


def _cleaned_rows(rows: np.ndarray, *, data: ClusteringData, settings: PostProcessingSettings) -> np.ndarray:
    """Steps 1-3 for one cluster's rows; returns rows nearest-first."""
    if len(rows) == 0:
        return rows
    directions = _unit(data.embeddings[rows].astype(np.float64))
    centre = directions.mean(axis=0)
    order = np.argsort(-(directions @ centre), kind="stable")
    rows, directions = rows[order], directions[order]
    kept = _without_near_duplicates(
        directions,
        threshold=settings.duplicate_distance_threshold_cosine,
        lookback=settings.duplicate_distance_check_lookback,
    )
    rows = rows[kept]
    rows = rows[_within_artist_cap([data.artists[row] for row in rows], cap=settings.max_songs_per_artist)]
    if settings.max_songs_per_cluster:
        rows = rows[: settings.max_songs_per_cluster]
    return rows


def _without_near_duplicates(directions: np.ndarray, *, threshold: float, lookback: int) -> np.ndarray:
    """Positions kept. directions: [shape=(n, d)] unit vectors in playlist order."""
    kept: list[int] = []
    for position, direction in enumerate(directions):
        recent = kept[-lookback:] if lookback > 0 else kept
        if recent and (1.0 - directions[recent] @ direction).min() < threshold:
            continue
        kept.append(position)
    return np.array(kept, dtype=np.intp)


def _within_artist_cap(artists: Sequence[str], *, cap: int) -> np.ndarray:
    """Positions kept: the first ``cap`` of each artist; an empty artist is unknown, not one artist."""
    counts: Counter[str] = Counter()
    kept = []
    for position, artist in enumerate(artists):
        key = artist.strip().casefold()
        if key and counts[key] >= cap:
            continue
        counts[key] += 1
        kept.append(position)
    return np.array(kept, dtype=np.intp)


def most_different(*, centroids: np.ndarray, sizes: Sequence[int], count: int) -> list[int]:
    """Indices of ``count`` playlists (all when 0 or more than there are), greedily most apart.

    centroids: [shape=(n_playlists, width)]. The largest playlist comes first (the earliest on
    ties), then the one whose nearest chosen centroid is farthest, until ``count``.
    """
    total = len(sizes)
    if total == 0:
        return []
    count = total if count <= 0 else min(count, total)
    chosen = [int(np.argmax(sizes))]
    nearest = np.linalg.norm(centroids - centroids[chosen[0]], axis=1)
    while len(chosen) < count:
        nearest[chosen] = -1.0
        pick = int(np.argmax(nearest))
        chosen.append(pick)
        nearest = np.minimum(nearest, np.linalg.norm(centroids - centroids[pick], axis=1))
    return chosen


def fisher_yates_shuffled(values: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """A shuffled copy of ``values`` [shape=(n,)]: Fisher-Yates, swapping each slot with a random earlier one."""
    shuffled = np.array(values, copy=True)
    for slot in range(len(shuffled) - 1, 0, -1):
        other = int(rng.integers(slot + 1))
        shuffled[slot], shuffled[other] = shuffled[other], shuffled[slot]
    return shuffled


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
