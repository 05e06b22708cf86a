"""Degenerate libraries give a clear result or a typed error with a message, never a crash."""

import numpy as np
import pytest

from clustering.engine import (
    ClusteringConfig,
    IterationParams,
    KMeansParams,
    NotEnoughTracksError,
    build_clustering_data,
    finalize_playlists,
    run_batch,
    run_iteration,
)
from tests.clustering.engine.synthetic import MOOD_LABELS, TEMPO_RANGE_BPM, planted_library


def uniform_library(count: int, *, embedding=None, mood_column: int = 0):
    """``count`` tracks with the same dominant mood, all with ``embedding`` or, if None, spread like real ones.

    Real embeddings share a common direction (their cosine distances are well below 1), so
    the spread ones do too; isotropic noise would put every track beyond MAX_DISTANCE.
    """
    rng = np.random.default_rng(0)
    spread = 1.0 + 0.3 * rng.normal(size=(count, 200))
    embeddings = np.tile(embedding, (count, 1)) if embedding is not None else spread
    moods = np.full((count, len(MOOD_LABELS)), 0.05)
    moods[:, mood_column] = 0.8
    return build_clustering_data(
        item_ids=[f"t{i}" for i in range(count)],
        embeddings=embeddings.reshape(count, 200),
        tempo_bpm=np.full(count, 120.0),
        energy=np.full(count, 0.5),
        moods=moods,
        other_features=np.zeros((count, 6)),
        artists=[f"artist-{i}" for i in range(count)],
        mood_labels=MOOD_LABELS,
        tempo_range_bpm=TEMPO_RANGE_BPM,
    )


def batch(data, config=None, iterations=3):
    return run_batch(
        data=data,
        config=config or ClusteringConfig(),
        elites=[],
        iterations=iterations,
        first_run_index=0,
        rng=np.random.default_rng(0),
    )


@pytest.mark.parametrize("count", [0, 1])
def test_fewer_than_two_tracks_is_a_typed_error_that_says_so(count):
    data = uniform_library(count)
    with pytest.raises(NotEnoughTracksError, match=f"at least 2 analysed tracks, got {count}"):
        batch(data)
    assert not NotEnoughTracksError.retryable


def test_fewer_tracks_than_clusters_still_gives_playlists():
    data = uniform_library(12)
    result = batch(data)  # default 40..100 clusters, scaled down to 2 for 12 tracks
    assert result.best is not None
    assert sum(len(cluster) for cluster in result.best.clusters) <= 12
    playlists = finalize_playlists(best=result.best, data=data, config=ClusteringConfig(), rng=np.random.default_rng(0))
    assert playlists.scaling.min_playlist_size == 3
    assert all(len(playlist.item_ids) >= 3 for playlist in playlists.playlists)


def test_more_clusters_than_tracks_in_a_single_run_is_lowered():
    data = uniform_library(5)
    params = IterationParams(model=KMeansParams(n_clusters=40), pca_components=0)
    result = run_iteration(data=data, params=params, config=ClusteringConfig(), rng=np.random.default_rng(0))
    assert result.usable
    assert sum(len(cluster) for cluster in result.clusters) == 5


def test_identical_tracks_become_one_playlist():
    data = uniform_library(30, embedding=np.ones(200))
    result = batch(data)
    assert result.best is not None
    assert len(result.best.clusters) == 1
    assert len(result.best.clusters[0]) == 30


def test_a_library_of_one_genre_is_clustered():
    result = batch(uniform_library(60, mood_column=0))
    assert result.best is not None and result.unusable_runs == 0


def test_a_run_that_clusters_nothing_is_unusable_with_a_reason_and_the_batch_says_so():
    # DBSCAN with the original's eps range (0.1..0.5) on 200-d standardised vectors: all noise.
    config = ClusteringConfig.from_dict({"search": {"algorithm": "dbscan", "pca_components": [0, 0]}})
    result = batch(planted_library(per_blob=10).data, config=config, iterations=2)
    assert result.best is None
    assert result.unusable_runs == 2
    assert result.elites == ()
    params = IterationParams.from_dict({"algorithm": "dbscan", "pca_components": 0, "eps": 0.1, "min_samples": 5})
    single = run_iteration(
        data=planted_library(per_blob=10).data, params=params, config=config, rng=np.random.default_rng(0)
    )
    assert single.score is None and "no track" in single.reason


def test_all_zero_score_vectors_do_not_break_the_score_vector_search():
    data = uniform_library(20)
    zero = build_clustering_data(
        item_ids=data.item_ids,
        embeddings=data.embeddings,
        tempo_bpm=np.full(20, np.nan),
        energy=np.full(20, np.nan),
        moods=np.zeros((20, len(MOOD_LABELS))),
        other_features=np.zeros((20, 6)),
        artists=data.artists,
        mood_labels=MOOD_LABELS,
        tempo_range_bpm=TEMPO_RANGE_BPM,
    )
    config = ClusteringConfig.from_dict({"search": {"use_embeddings": False}})
    result = batch(zero, config=config)
    assert result.best is not None
    assert np.isfinite(result.best.score)
