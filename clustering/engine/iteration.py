"""One run of the evolutionary search, and a batch of runs as a Celery batch task performs them.

Results are small and JSON-serialisable (they cross the Celery broker): item
ids and score-space centroids, never the feature matrices.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from clustering.engine.algorithms import ClusteringFitError, fit_clusters
from clustering.engine.data import ClusteringData, require_enough_tracks
from clustering.engine.defaults import ClusteringConfig
from clustering.engine.evolution import Elite, IterationParams, next_params, updated_elites
from clustering.engine.features import clustering_features
from clustering.engine.fitness import cluster_means, fitness
from clustering.engine.sampling import sampling_plan, stratified_sample
from clustering.engine.scaling import library_scaling, scaled_config

# Centroids are rounded for the broker: naming only needs two or three digits.
_CENTROID_DECIMALS = 5


@dataclass(frozen=True)
class IterationResult:
    """What one run produced.

    score: the fitness, None when nothing usable came out (``reason`` says why).
    clusters: item ids of each cluster's members. centroids: each cluster's mean score
    vector (tempo, energy, moods, other features; see data.ScoreLayout), for naming.
    """

    score: float | None
    params: IterationParams
    clusters: tuple[tuple[str, ...], ...] = ()
    centroids: tuple[tuple[float, ...], ...] = ()
    metrics: dict[str, float] = field(default_factory=dict)
    reason: str = ""

    @property
    def usable(self) -> bool:
        return self.score is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "params": self.params.as_dict(),
            "clusters": [list(cluster) for cluster in self.clusters],
            "centroids": [list(centroid) for centroid in self.centroids],
            "metrics": dict(self.metrics),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> IterationResult:
        return cls(
            score=mapping["score"],
            params=IterationParams.from_dict(mapping["params"]),
            clusters=tuple(tuple(cluster) for cluster in mapping["clusters"]),
            centroids=tuple(tuple(centroid) for centroid in mapping["centroids"]),
            metrics=dict(mapping["metrics"]),
            reason=mapping.get("reason", ""),
        )


@dataclass(frozen=True)
class BatchResult:
    """A batch's best run (None if no run was usable) and the elites updated with its runs.

    runs: the runs actually done; fewer than asked when ``stopped`` (should_stop said so).
    """

    best: IterationResult | None
    elites: tuple[Elite, ...]
    runs: int
    unusable_runs: int
    stopped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "best": self.best.as_dict() if self.best else None,
            "elites": [elite.as_dict() for elite in self.elites],
            "runs": self.runs,
            "unusable_runs": self.unusable_runs,
            "stopped": self.stopped,
        }

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> BatchResult:
        best = mapping["best"]
        return cls(
            best=IterationResult.from_dict(best) if best is not None else None,
            elites=tuple(Elite.from_dict(elite) for elite in mapping["elites"]),
            runs=int(mapping["runs"]),
            unusable_runs=int(mapping["unusable_runs"]),
            stopped=bool(mapping.get("stopped", False)),
        )


def run_batch(
    *,
    data: ClusteringData,
    config: ClusteringConfig,
    elites: Sequence[Elite],
    iterations: int,
    first_run_index: int,
    rng: np.random.Generator,
    max_threads: int | None = 1,
    should_stop: Callable[[], bool] | None = None,
) -> BatchResult:
    """Runs ``first_run_index`` .. ``first_run_index + iterations - 1`` of ``config.clustering_runs``.

    Each run draws a stratified sample (perturbing the previous run's), picks parameters
    (explore or mutate an elite) within the ranges scaled for the library size, clusters
    and scores. Raises NotEnoughTracksError for fewer than 2 tracks.

    max_threads: BLAS/OpenMP threads (None = the libraries' default, one per core). The
    parallelism is the Celery worker processes, one batch each; threads inside a batch
    mostly spin against the other workers (7x slower runs measured on a busy 2-core host).
    should_stop: asked before every run; once it answers True the batch ends at once and
    returns what it found so far, marked ``stopped`` (a cancel is not an error).
    """
    run_indices = range(first_run_index, first_run_index + iterations)
    with threadpool_limits(limits=max_threads):
        return _run_batch(data, config, tuple(elites), run_indices, rng, should_stop or _never)


def _never() -> bool:
    return False


def _run_batch(
    data: ClusteringData,
    config: ClusteringConfig,
    elites: tuple[Elite, ...],
    run_indices: range,
    rng: np.random.Generator,
    should_stop: Callable[[], bool],
) -> BatchResult:
    require_enough_tracks(data.track_count)
    plan = sampling_plan(data=data, settings=config.sampling)
    config = scaled_config(config, scaling=library_scaling(tracks_per_run=plan.sample_size, config=config))
    unusable, sample = 0, None
    best: IterationResult | None = None
    best_score = float("-inf")
    runs, stopped = 0, False
    for run_index in run_indices:
        if should_stop():
            stopped = True
            break
        runs += 1
        sample = stratified_sample(plan=plan, previous=sample, change_per_run=config.sampling.change_per_run, rng=rng)
        params = next_params(
            search=config.search,
            evolution=config.evolution,
            elites=elites,
            run_index=run_index,
            total_runs=config.clustering_runs,
            rng=rng,
        )
        result = run_iteration(data=data, params=params, config=config, rows=sample, rng=rng)
        if result.score is None:
            unusable += 1
            continue
        candidate = Elite(score=result.score, params=params)
        elites = updated_elites(elites=elites, candidates=[candidate], top_n=config.evolution.top_n_elites)
        if result.score > best_score:
            best, best_score = result, result.score
    return BatchResult(best=best, elites=elites, runs=runs, unusable_runs=unusable, stopped=stopped)


def run_iteration(
    *,
    data: ClusteringData,
    params: IterationParams,
    config: ClusteringConfig,
    rng: np.random.Generator,
    rows: np.ndarray | None = None,
) -> IterationResult:
    """Cluster ``rows`` of ``data`` (all of it when None) with ``params`` and score the result.

    rows: np.ndarray [shape=(n_sample,)] of row indices. Tracks farther than
    ``config.fitness.max_distance`` (cosine) from their cluster's mean are left out.
    """
    rows = np.arange(data.track_count) if rows is None else rows
    require_enough_tracks(len(rows))
    search = config.search
    vectors = (data.embeddings if search.use_embeddings else data.score_vectors)[rows]
    features = clustering_features(vectors=vectors, pca_components=params.pca_components, rng=rng)
    try:
        labels = fit_clusters(
            features=features,
            params=params.model,
            rng=rng,
            minibatch_kmeans_min_tracks=search.minibatch_kmeans_min_tracks,
            spectral_max_tracks=search.spectral_max_tracks,
        )
    except ClusteringFitError as error:
        return IterationResult(score=None, params=params, reason=str(error))
    labels = within_max_distance(vectors=vectors, labels=labels, max_distance=config.fitness.max_distance)
    members = labels >= 0
    if not members.any():
        return IterationResult(score=None, params=params, reason="the algorithm put no track in any cluster")
    return _scored_result(
        data=data,
        rows=rows[members],
        features=features[members],
        labels=labels[members],
        params=params,
        config=config,
        rng=rng,
    )


def within_max_distance(*, vectors: np.ndarray, labels: np.ndarray, max_distance: float) -> np.ndarray:
    """Labels with -1 for members whose cosine distance to their cluster's mean exceeds ``max_distance``.

    vectors: [shape=(n, d)] the vectors that were clustered, before scaling; labels: [shape=(n,)], -1 = none.
    ``max_distance`` <= 0 keeps everyone. Returns consecutive labels 0..C-1 (and -1).
    """
    labels = consecutive_labels(labels)
    members = np.flatnonzero(labels >= 0)
    if max_distance <= 0 or len(members) == 0:
        return labels
    member_vectors, member_labels = vectors[members], labels[members]
    means = cluster_means(vectors=member_vectors, labels=member_labels, cluster_count=int(labels.max()) + 1)
    # (n, C) dot products are cheaper than materialising every member's mean (n, d).
    dots = np.take_along_axis(member_vectors @ means.T.astype(member_vectors.dtype), member_labels[:, None], axis=1)
    norms = (
        np.sqrt(np.einsum("ij,ij->i", member_vectors, member_vectors)) * np.linalg.norm(means, axis=1)[member_labels]
    )
    # A zero vector has no direction: count it as on its cluster's centre rather than dropping it.
    cosine = np.divide(dots[:, 0], norms, out=np.ones(len(norms)), where=norms > 0)
    filtered = labels.copy()
    filtered[members[1 - cosine > max_distance]] = -1
    return consecutive_labels(filtered)


def consecutive_labels(labels: np.ndarray) -> np.ndarray:
    """Non-negative labels renumbered 0..C-1 in increasing order; -1 stays -1."""
    result = np.full(len(labels), -1, dtype=np.intp)
    members = labels >= 0
    if members.any():
        result[members] = np.unique(labels[members], return_inverse=True)[1]
    return result


def _scored_result(
    *,
    data: ClusteringData,
    rows: np.ndarray,
    features: np.ndarray,
    labels: np.ndarray,
    params: IterationParams,
    config: ClusteringConfig,
    rng: np.random.Generator,
) -> IterationResult:
    """Score the members (rows, features and labels of clustered tracks only) and package the clusters."""
    score_vectors = data.score_vectors[rows]
    profiles = cluster_means(vectors=score_vectors, labels=labels, cluster_count=int(labels.max()) + 1)
    scored = fitness(
        features=features,
        labels=labels,
        score_vectors=score_vectors,
        layout=data.layout,
        settings=config.fitness,
        use_embeddings=config.search.use_embeddings,
        rng=rng,
        profiles=profiles,
    )
    if not np.isfinite(scored.score):
        return IterationResult(score=None, params=params, reason=f"the fitness was not a number: {scored.metrics}")
    item_ids = data.item_id_array[rows]
    clusters = tuple(tuple(item_ids[labels == cluster].tolist()) for cluster in range(len(profiles)))
    centroids = tuple(tuple(np.round(profile, _CENTROID_DECIMALS).tolist()) for profile in profiles)
    return IterationResult(
        score=scored.score, params=params, clusters=clusters, centroids=centroids, metrics=scored.metrics
    )
