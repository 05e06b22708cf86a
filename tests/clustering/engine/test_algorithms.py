"""Each algorithm recovers eight well-separated blobs; the large-input paths still do."""

import numpy as np
import pytest

from clustering.engine import DBSCANParams, GMMParams, KMeansParams, SpectralParams, fit_clusters
from clustering.engine.features import clustering_features
from tests.clustering.engine.synthetic import planted_library

LIBRARY = planted_library()


def features(pca_components: int = 10) -> np.ndarray:
    return clustering_features(
        vectors=LIBRARY.data.embeddings, pca_components=pca_components, rng=np.random.default_rng(0)
    )


def recovers_the_blobs(labels: np.ndarray) -> bool:
    """Eight clusters, each made of a single blob."""
    clustered = labels >= 0
    pairs = {(label, blob) for label, blob in zip(labels[clustered], LIBRARY.blobs[clustered], strict=True)}
    return len(np.unique(labels[clustered])) == 8 and len(pairs) == 8 and clustered.mean() > 0.9


@pytest.mark.parametrize(
    "params",
    [
        KMeansParams(n_clusters=8),
        DBSCANParams(eps=5.0, min_samples=5),
        GMMParams(n_components=8),
        SpectralParams(n_clusters=8),
    ],
    ids=["kmeans", "dbscan", "gmm", "spectral"],
)
def test_each_algorithm_recovers_planted_blobs(params):
    labels = fit_clusters(features=features(), params=params, rng=np.random.default_rng(1))
    assert labels.shape == (240,)
    assert recovers_the_blobs(labels)


def test_pca_keeps_the_requested_number_of_components_and_zero_keeps_all():
    assert features(10).shape == (240, 10)
    assert features(0).shape == (240, 200)
    assert features(500).shape == (240, 200)


def test_minibatch_kmeans_takes_over_for_large_inputs():
    labels = fit_clusters(
        features=features(),
        params=KMeansParams(n_clusters=8),
        rng=np.random.default_rng(1),
        minibatch_kmeans_min_tracks=100,
    )
    assert recovers_the_blobs(labels)


def test_spectral_above_its_cap_fits_a_subset_and_assigns_the_rest():
    labels = fit_clusters(
        features=features(), params=SpectralParams(n_clusters=8), rng=np.random.default_rng(1), spectral_max_tracks=120
    )
    assert (labels >= 0).all()
    assert recovers_the_blobs(labels)


def test_more_clusters_than_tracks_are_lowered_to_the_track_count():
    few = features()[:5]
    for params in (KMeansParams(n_clusters=40), GMMParams(n_components=40), SpectralParams(n_clusters=40)):
        labels = fit_clusters(features=few, params=params, rng=np.random.default_rng(0))
        assert len(labels) == 5 and labels.max() < 5
