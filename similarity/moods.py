"""Mood centroids computed from the library itself.

For each mood of the analysis' "other features" (danceable, aggressive,
happy, party, relaxed, sad), the tracks that score high on it — at least
``MIN_MOOD_SCORE`` and in the top ``TOP_SHARE`` of the library — are grouped
by spherical k-means on their embedding directions into a few clusters (one
per ``TRACKS_PER_CENTROID`` tracks, at most ``MAX_CENTROIDS``). Each
cluster's centroid is the normalised mean direction of its tracks; its
description is the tracks' strongest tags on average. Centroids are numbered
per mood from 0, the largest cluster first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.models import Embedding
from common.config import setting
from similarity.derived_cache import PerIndexVersion
from similarity.engine.artists import spherical_kmeans
from similarity.engine.songs import unit_rows
from similarity.errors import IndexNotReady, InvalidSimilarityRequest

MOODS = ("danceable", "aggressive", "happy", "party", "relaxed", "sad")
MIN_MOOD_SCORE = 0.5
TOP_SHARE = 0.1
TRACKS_PER_CENTROID = 10
MAX_CENTROIDS = 3
TOP_TAGS = 5
KMEANS_ITERATIONS = 20


@dataclass(frozen=True)
class MoodCentroid:
    """index: its number within the mood; vector [shape=(d,)], unit; mood_score: the tracks' mean score."""

    index: int
    vector: np.ndarray
    n_songs: int
    mood_score: float
    top_tags: tuple[str, ...]

    def meta(self) -> dict:
        return {
            "index": self.index,
            "cluster_id": self.index,
            "top_tags": list(self.top_tags),
            "n_songs": self.n_songs,
            "mood_score": round(self.mood_score, 4),
        }


def mood_centroids_fit_from_db() -> dict[str, tuple[MoodCentroid, ...]]:
    """Every mood's centroids (an empty tuple for a mood no track scores high on); IndexNotReady with no tracks."""
    rows = Embedding.objects.order_by("track_id").values_list(
        "vector", "track__analysis__other_features", "track__analysis__moods"
    )
    vectors, features, tags = [], [], []
    for vector, other_features, moods in rows.iterator(chunk_size=setting("DB_FETCH_CHUNK_SIZE")):
        vectors.append(np.asarray(vector, dtype=np.float32))
        features.append(other_features or {})
        tags.append(moods or {})
    if not vectors:
        raise IndexNotReady("No analysed track yet: run an analysis first.")
    return fit_mood_centroids(unit_rows(np.vstack(vectors)), features=features, tags=tags)


def fit_mood_centroids(
    directions: np.ndarray, *, features: list[dict], tags: list[dict], seed: int = 0
) -> dict[str, tuple[MoodCentroid, ...]]:
    """directions: np.ndarray [shape=(n, d)], unit rows; features/tags: per row, mood -> score, tag -> probability."""
    centroids: dict[str, tuple[MoodCentroid, ...]] = {}
    for mood_number, mood in enumerate(MOODS):
        scores = np.array([float(row.get(mood) or 0.0) for row in features])
        threshold = max(MIN_MOOD_SCORE, float(np.quantile(scores, 1.0 - TOP_SHARE)))
        chosen = np.flatnonzero(scores >= threshold)
        if len(chosen) == 0:
            centroids[mood] = ()
            continue
        k = min(MAX_CENTROIDS, max(1, len(chosen) // TRACKS_PER_CENTROID))
        rng = np.random.default_rng([seed, mood_number])
        labels = spherical_kmeans(directions[chosen], k=k, rng=rng, iterations=KMEANS_ITERATIONS)
        groups = sorted((chosen[labels == label] for label in np.unique(labels)), key=len, reverse=True)
        centroids[mood] = tuple(
            _centroid(index, group, directions=directions, scores=scores, tags=tags)
            for index, group in enumerate(groups)
        )
    return centroids


def _centroid(index: int, rows: np.ndarray, *, directions, scores, tags) -> MoodCentroid:
    mean = directions[rows].mean(axis=0)
    norm = float(np.linalg.norm(mean))
    vector = mean / norm if norm > 0 else directions[rows[0]]
    totals: dict[str, float] = {}
    for row in rows:
        for tag, probability in tags[row].items():
            totals[tag] = totals.get(tag, 0.0) + float(probability)
    strongest = sorted(totals, key=lambda tag: (-totals[tag], tag))[:TOP_TAGS]
    return MoodCentroid(
        index=index,
        vector=vector.astype(np.float32),
        n_songs=len(rows),
        mood_score=float(scores[rows].mean()),
        top_tags=tuple(strongest),
    )


current_moods: PerIndexVersion[dict[str, tuple[MoodCentroid, ...]]] = PerIndexVersion(mood_centroids_fit_from_db)


def mood_centroid(mood: str, index: int) -> MoodCentroid:
    """One centroid; InvalidSimilarityRequest (400) for an unknown mood or index, as the clients expect."""
    found = centroids_of(mood)
    if not 0 <= index < len(found):
        bound = f"0-{len(found) - 1}" if found else "none: no track scores high on it"
        raise InvalidSimilarityRequest(f"Invalid centroid_index {index} for mood {mood!r} ({bound})")
    return found[index]


def centroids_of(mood: str) -> tuple[MoodCentroid, ...]:
    """A mood's centroids (maybe none); InvalidSimilarityRequest (400) for a mood we do not know."""
    centroids = current_moods.current()
    if mood not in centroids:
        raise InvalidSimilarityRequest(f"Unknown mood {mood!r}. Available: {', '.join(MOODS)}")
    return centroids[mood]
