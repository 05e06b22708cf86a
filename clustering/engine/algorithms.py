"""The four clustering algorithms, each fitted from its own parameter dataclass.

Every fit returns one label per track: 0..C-1 for a cluster, -1 for a track
the algorithm left out (DBSCAN noise). Cluster counts larger than the number
of tracks are lowered to it, so a tiny library still gets a result.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from sklearn.cluster import DBSCAN, KMeans, MiniBatchKMeans, SpectralClustering
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from clustering.engine.defaults import (
    GMM_COVARIANCE_TYPE,
    MINIBATCH_KMEANS_BATCH_SIZE,
    MINIBATCH_KMEANS_MIN_TRACKS,
    SPECTRAL_MAX_TRACKS,
    SPECTRAL_N_NEIGHBORS,
)
from clustering.engine.errors import ClusteringEngineError
from clustering.engine.randomness import sklearn_seed


class ClusteringFitError(ClusteringEngineError):
    """The algorithm could not fit these parameters to this data (a GMM component collapsed, ...)."""


@dataclass(frozen=True)
class KMeansParams:
    n_clusters: int
    algorithm: ClassVar[str] = "kmeans"


@dataclass(frozen=True)
class DBSCANParams:
    eps: float
    min_samples: int
    algorithm: ClassVar[str] = "dbscan"


@dataclass(frozen=True)
class GMMParams:
    n_components: int
    covariance_type: str = GMM_COVARIANCE_TYPE
    algorithm: ClassVar[str] = "gmm"


@dataclass(frozen=True)
class SpectralParams:
    n_clusters: int
    n_neighbors: int = SPECTRAL_N_NEIGHBORS
    algorithm: ClassVar[str] = "spectral"


ModelParams = KMeansParams | DBSCANParams | GMMParams | SpectralParams
MODEL_PARAMS: dict[str, type[ModelParams]] = {
    params.algorithm: params for params in (KMeansParams, DBSCANParams, GMMParams, SpectralParams)
}


def fit_clusters(
    *,
    features: np.ndarray,
    params: ModelParams,
    rng: np.random.Generator,
    minibatch_kmeans_min_tracks: int = MINIBATCH_KMEANS_MIN_TRACKS,
    spectral_max_tracks: int = SPECTRAL_MAX_TRACKS,
) -> np.ndarray:
    """Fit the algorithm ``params`` names and label every track.

    features: np.ndarray [shape=(n_tracks, d)], already scaled (features.clustering_features).
    minibatch_kmeans_min_tracks: from this many tracks K-Means runs as MiniBatchKMeans.
    spectral_max_tracks: Spectral fits on at most this many tracks (see _fit_spectral).
    Returns np.ndarray [shape=(n_tracks,)] of int labels, -1 = in no cluster.
    Raises ClusteringFitError when the model cannot be fitted.
    """
    # Duplicate points (fewer distinct tracks than clusters) and disconnected k-NN graphs
    # only make sklearn warn; the labels it returns are still the answer we want.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message="Graph is not fully connected")
        match params:
            case KMeansParams():
                return _fit_kmeans(features, params, rng=rng, minibatch_min_tracks=minibatch_kmeans_min_tracks)
            case DBSCANParams():
                return DBSCAN(eps=params.eps, min_samples=params.min_samples).fit_predict(features)
            case GMMParams():
                return _fit_gmm(features, params, rng=rng)
            case SpectralParams():
                return _fit_spectral(features, params, rng=rng, max_tracks=spectral_max_tracks)
    raise TypeError(f"not a clustering parameter set: {params!r}")


def _fit_kmeans(
    features: np.ndarray, params: KMeansParams, *, rng: np.random.Generator, minibatch_min_tracks: int
) -> np.ndarray:
    n_clusters = min(params.n_clusters, len(features))
    # One initialisation per run: the evolutionary search already repeats the fit many times.
    if len(features) >= minibatch_min_tracks:
        model = MiniBatchKMeans(
            n_clusters=n_clusters, batch_size=MINIBATCH_KMEANS_BATCH_SIZE, n_init=1, random_state=sklearn_seed(rng)
        )
    else:
        model = KMeans(n_clusters=n_clusters, n_init=1, random_state=sklearn_seed(rng))
    return model.fit_predict(features)


def _fit_gmm(features: np.ndarray, params: GMMParams, *, rng: np.random.Generator) -> np.ndarray:
    model = GaussianMixture(
        n_components=min(params.n_components, len(features)),
        covariance_type=params.covariance_type,
        random_state=sklearn_seed(rng),
    )
    try:
        return model.fit_predict(features)
    except ValueError as error:
        raise ClusteringFitError(f"GMM with {params.n_components} components did not fit: {error}") from error


def _fit_spectral(
    features: np.ndarray, params: SpectralParams, *, rng: np.random.Generator, max_tracks: int
) -> np.ndarray:
    """Spectral clustering on a k-NN graph.

    Its cost grows faster than linearly (graph + eigenvectors), so above ``max_tracks``
    it fits a random subset of ``max_tracks`` tracks and gives each other track the
    cluster whose mean (in feature space) is nearest.
    """
    fitted_rows = np.arange(len(features))
    if len(features) > max_tracks:
        fitted_rows = np.sort(rng.choice(len(features), size=max_tracks, replace=False))
    subset = features[fitted_rows]
    # The eigenproblem needs fewer clusters (and neighbours) than tracks.
    n_clusters = min(params.n_clusters, len(subset) - 1)
    if n_clusters < 2:
        return np.zeros(len(features), dtype=np.intp)
    model = SpectralClustering(
        n_clusters=n_clusters,
        affinity="nearest_neighbors",
        n_neighbors=min(params.n_neighbors, len(subset) - 1),
        assign_labels="cluster_qr",
        random_state=sklearn_seed(rng),
    )
    subset_labels = model.fit_predict(subset)
    if len(fitted_rows) == len(features):
        return subset_labels
    labels = _nearest_mean_labels(features, labelled=subset, labels=subset_labels)
    labels[fitted_rows] = subset_labels
    return labels


def _nearest_mean_labels(features: np.ndarray, *, labelled: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """For each row of features [shape=(n, d)], the label whose mean over ``labelled`` is nearest."""
    clusters = np.unique(labels)
    means = np.stack([labelled[labels == cluster].mean(axis=0) for cluster in clusters])
    squared = (features**2).sum(axis=1)[:, None] - 2 * features @ means.T + (means**2).sum(axis=1)[None, :]
    return clusters[np.argmin(squared, axis=1)]
