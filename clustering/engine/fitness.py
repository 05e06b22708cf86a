"""The fitness of one clustering: label-aware purity and diversity plus geometric metrics.

A cluster's *profile* is the mean score vector of its members (for score-vector
clustering that is the centroid itself). From the profiles:

- mood purity, raw: for each track, the intersection of its active moods (its
  ``active_moods_per_song`` most probable ones) with its cluster's top
  ``top_k_moods_for_purity`` profile moods; the track contributes its highest
  probability among them (nothing when the intersection is empty). Summed over
  every track of every cluster.
- mood diversity, raw: each cluster's dominant mood (highest in its profile)
  with its profile value; each distinct dominant mood counts once, with its
  highest value; the values are summed.
- other-feature purity and diversity: the same with the six other features,
  where a feature is "predominant" in a cluster when its profile value reaches
  ``other_feature_predominance_threshold`` (instead of being in a top K), and a
  cluster's dominant feature counts only if it is predominant.

Each raw value becomes ``(log1p(raw) - min) / (max - min)`` with the LN_*
statistics (mood ones have separate statistics for embedding clustering). The
geometric metrics are mapped so that higher is better: silhouette as is (-1..1,
estimated on at most ``silhouette_sample_size`` tracks), Davies-Bouldin as
``1 / (1 + DB)`` and Calinski-Harabasz as ``c / (1 + c)`` with ``c = log1p(CH)``
(both 0..1). The fitness is the weighted sum; metrics with weight 0 are not
computed, and geometric metrics need 2..n-1 clusters (otherwise they count 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

from clustering.engine.data import ScoreLayout
from clustering.engine.defaults import FitnessSettings, LnStats
from clustering.engine.randomness import sklearn_seed


@dataclass(frozen=True)
class Fitness:
    """The weighted score and every metric computed for it.

    metrics: named as the ScoreWeights fields (``diversity``, ``purity``, ``silhouette``, ...),
    normalised as the module says; ``<name>_raw`` holds a label metric before log1p.
    """

    score: float
    metrics: dict[str, float]


def cluster_means(*, vectors: np.ndarray, labels: np.ndarray, cluster_count: int) -> np.ndarray:
    """Mean vector of each cluster.

    vectors: np.ndarray [shape=(n_tracks, d)]; labels: [shape=(n_tracks,)] in 0..cluster_count-1,
    every cluster non-empty. Returns np.ndarray [shape=(cluster_count, d)].
    """
    # Ones of the vectors' dtype: float64 ones would make scipy copy a float32 matrix to float64.
    membership = sparse.csr_matrix(
        (np.ones(len(labels), dtype=vectors.dtype), (labels, np.arange(len(labels)))),
        shape=(cluster_count, len(labels)),
    )
    sizes = np.bincount(labels, minlength=cluster_count)
    return np.asarray(membership @ vectors, dtype=np.float64) / sizes[:, None]


def mood_purity_raw(
    *, moods: np.ndarray, labels: np.ndarray, profile_moods: np.ndarray, top_k: int, active_per_song: int
) -> float:
    """Sum over tracks of their best probability among (active moods & their cluster's top-K moods).

    moods: [shape=(n_tracks, n_moods)]; labels: [shape=(n_tracks,)]; profile_moods: [shape=(n_clusters, n_moods)].
    """
    if moods.shape[1] == 0 or len(labels) == 0:
        return 0.0
    cluster_top = _top_mask(profile_moods, count=top_k)
    active = _top_mask(moods, count=active_per_song) & (moods > 0)
    used = active & cluster_top[labels]
    return float(np.where(used, moods, 0.0).max(axis=1).sum())


def mood_diversity_raw(*, profile_moods: np.ndarray) -> float:
    """Sum over distinct dominant moods of their highest profile value. profile_moods: [shape=(n_clusters, n_moods)]."""
    if profile_moods.size == 0:
        return 0.0
    return _distinct_dominant_sum(profile_moods, keep=np.ones(len(profile_moods), dtype=bool))


def other_feature_purity_raw(
    *, other_features: np.ndarray, labels: np.ndarray, profile_features: np.ndarray, threshold: float
) -> float:
    """Sum over tracks of their best value among their cluster's predominant features (profile >= threshold)."""
    if other_features.shape[1] == 0 or len(labels) == 0:
        return 0.0
    used = (profile_features >= threshold)[labels]
    return float(np.where(used, other_features, 0.0).max(axis=1).sum())


def other_feature_diversity_raw(*, profile_features: np.ndarray, threshold: float) -> float:
    """Sum over distinct dominant features (only clusters whose dominant one reaches threshold) of the best value."""
    if profile_features.size == 0:
        return 0.0
    return _distinct_dominant_sum(profile_features, keep=profile_features.max(axis=1) >= threshold)


def normalised(raw: float, *, stats: LnStats) -> float:
    """``(log1p(raw) - min) / (max - min)``: 0 at the smallest observed value, 1 at the largest."""
    return float((np.log1p(raw) - stats.min) / (stats.max - stats.min))


def fitness(
    *,
    features: np.ndarray,
    labels: np.ndarray,
    score_vectors: np.ndarray,
    layout: ScoreLayout,
    settings: FitnessSettings,
    use_embeddings: bool,
    rng: np.random.Generator,
    profiles: np.ndarray | None = None,
) -> Fitness:
    """Score one clustering of the members (tracks left out carry no label here).

    features: [shape=(n_members, d)] the clustered matrix; labels: [shape=(n_members,)] in 0..C-1, no gaps;
    score_vectors: [shape=(n_members, layout.width)] the members' score vectors;
    profiles: their cluster means [shape=(C, layout.width)] when the caller already has them.
    """
    if profiles is None:
        cluster_count = int(labels.max()) + 1 if len(labels) else 0
        profiles = cluster_means(vectors=score_vectors, labels=labels, cluster_count=cluster_count)
    metrics = _label_metrics(
        score_vectors=score_vectors,
        labels=labels,
        profiles=profiles,
        layout=layout,
        settings=settings,
        use_embeddings=use_embeddings,
    )
    metrics |= _geometric_metrics(features=features, labels=labels, settings=settings, rng=rng)
    weights = settings.weights
    score = sum(getattr(weights, name) * metrics[name] for name in _WEIGHTED_METRICS if name in metrics)
    return Fitness(score=float(score), metrics=metrics)


# The metrics, named as their ScoreWeights fields; a fixed order keeps the float sum reproducible.
_WEIGHTED_METRICS = (
    "diversity",
    "purity",
    "other_feature_diversity",
    "other_feature_purity",
    "silhouette",
    "davies_bouldin",
    "calinski_harabasz",
)


def _label_metrics(
    *,
    score_vectors: np.ndarray,
    labels: np.ndarray,
    profiles: np.ndarray,
    layout: ScoreLayout,
    settings: FitnessSettings,
    use_embeddings: bool,
) -> dict[str, float]:
    weights, stats = settings.weights, settings.stats
    moods, other = layout.mood_columns, layout.other_feature_columns
    raw: dict[str, tuple[float, LnStats]] = {}
    if weights.diversity:
        value = mood_diversity_raw(profile_moods=profiles[:, moods])
        raw["diversity"] = value, stats.mood_diversity_embedding if use_embeddings else stats.mood_diversity
    if weights.purity:
        value = mood_purity_raw(
            moods=score_vectors[:, moods],
            labels=labels,
            profile_moods=profiles[:, moods],
            top_k=settings.top_k_moods_for_purity,
            active_per_song=settings.active_moods_per_song,
        )
        raw["purity"] = value, stats.mood_purity_embedding if use_embeddings else stats.mood_purity
    threshold = settings.other_feature_predominance_threshold
    if weights.other_feature_diversity:
        value = other_feature_diversity_raw(profile_features=profiles[:, other], threshold=threshold)
        raw["other_feature_diversity"] = value, stats.other_features_diversity
    if weights.other_feature_purity:
        value = other_feature_purity_raw(
            other_features=score_vectors[:, other],
            labels=labels,
            profile_features=profiles[:, other],
            threshold=threshold,
        )
        raw["other_feature_purity"] = value, stats.other_features_purity
    metrics = {name: normalised(value, stats=name_stats) for name, (value, name_stats) in raw.items()}
    return metrics | {f"{name}_raw": value for name, (value, _) in raw.items()}


def _geometric_metrics(
    *, features: np.ndarray, labels: np.ndarray, settings: FitnessSettings, rng: np.random.Generator
) -> dict[str, float]:
    weights = settings.weights
    cluster_count = len(np.unique(labels))
    if not 2 <= cluster_count <= len(labels) - 1:
        return {name: 0.0 for name in ("silhouette", "davies_bouldin", "calinski_harabasz") if getattr(weights, name)}
    metrics = {}
    if weights.silhouette:
        sample_size = settings.silhouette_sample_size if len(labels) > settings.silhouette_sample_size else None
        metrics["silhouette"] = float(
            silhouette_score(features, labels, sample_size=sample_size, random_state=sklearn_seed(rng))
        )
    if weights.davies_bouldin:
        metrics["davies_bouldin"] = 1.0 / (1.0 + float(davies_bouldin_score(features, labels)))
    if weights.calinski_harabasz:
        compressed = float(np.log1p(calinski_harabasz_score(features, labels)))
        metrics["calinski_harabasz"] = compressed / (1.0 + compressed)
    return metrics


def _top_mask(values: np.ndarray, *, count: int) -> np.ndarray:
    """Boolean mask of each row's ``count`` largest values (ties at the edge: any, but always the same).

    values: [shape=(rows, k)]. A partial sort: this runs on every sampled track in every run.
    """
    mask = np.zeros(values.shape, dtype=bool)
    if count >= values.shape[1]:
        mask[:] = True
        return mask
    top = np.argpartition(-values, count - 1, axis=1)[:, :count]
    np.put_along_axis(mask, top, True, axis=1)
    return mask


def _distinct_dominant_sum(profiles: np.ndarray, *, keep: np.ndarray) -> float:
    dominant = np.argmax(profiles, axis=1)[keep]
    values = profiles.max(axis=1)[keep]
    best = np.zeros(profiles.shape[1])
    np.maximum.at(best, dominant, values)
    return float(best.sum())
