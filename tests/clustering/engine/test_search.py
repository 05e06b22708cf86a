"""The evolutionary search finds planted clusters, repeats with the same seed and returns JSON-ready results."""

import dataclasses
import json
from collections import Counter

import numpy as np
import pytest

from clustering.engine import BatchResult, ClusteringConfig, Elite, IterationParams, KMeansParams, run_batch
from tests.clustering.engine.synthetic import MOOD_LABELS, planted_library

LIBRARY = planted_library()


def search(
    config: ClusteringConfig, *, iterations: int = 30, seed: int = 1, elites=(), first_run_index: int = 0, **options
):
    return run_batch(
        data=LIBRARY.data,
        config=config,
        elites=elites,
        iterations=iterations,
        first_run_index=first_run_index,
        rng=np.random.default_rng(seed),
        **options,
    )


def kmeans_config(**fitness) -> ClusteringConfig:
    return ClusteringConfig.from_dict(
        {
            "clustering_runs": 30,
            "search": {"num_clusters": [4, 16], "pca_components": [0, 20]},
            "fitness": {"weights": fitness} if fitness else {},
        }
    )


def blob_counts(cluster: tuple[str, ...]) -> Counter:
    return Counter(LIBRARY.blobs[LIBRARY.data.rows_of(cluster)].tolist())


def test_default_fitness_finds_pure_clusters_covering_every_planted_mood():
    best = search(kmeans_config()).best
    assert best is not None
    majority = [blob_counts(cluster).most_common(1)[0] for cluster in best.clusters]
    clustered = sum(len(cluster) for cluster in best.clusters)
    assert sum(count for _, count in majority) / clustered > 0.97
    assert {blob for blob, _ in majority} == set(range(8))
    dominant = {MOOD_LABELS[int(np.argmax(centroid[2:12]))] for centroid in best.centroids}
    assert dominant == set(MOOD_LABELS[:8])


def test_with_a_silhouette_weight_the_search_finds_exactly_eight_clusters():
    best = search(kmeans_config(silhouette=1.0)).best
    assert len(best.clusters) == 8
    assert all(len(blob_counts(cluster)) == 1 for cluster in best.clusters)


def test_score_vectors_can_be_clustered_instead_of_embeddings():
    config = ClusteringConfig.from_dict(
        {"search": {"use_embeddings": False, "num_clusters": [8, 8], "pca_components": [0, 0]}}
    )
    best = search(config, iterations=3).best
    assert len(best.clusters) == 8
    assert all(len(blob_counts(cluster)) == 1 for cluster in best.clusters)


def test_the_same_seed_gives_the_same_result_and_another_seed_may_not():
    first, second = (search(kmeans_config(), iterations=8, seed=5).as_dict() for _ in range(2))
    assert first == second
    assert search(kmeans_config(), iterations=8, seed=6).as_dict() != first


def test_batch_results_are_small_json_and_round_trip():
    result = search(kmeans_config(), iterations=5)
    encoded = json.dumps(result.as_dict())
    assert BatchResult.from_dict(json.loads(encoded)) == result
    assert len(encoded) < 30_000  # item ids and centroids, no matrices
    assert result.runs == 5 and result.unusable_runs == 0
    assert sorted(item for cluster in result.best.clusters for item in cluster) == sorted(
        set(item for cluster in result.best.clusters for item in cluster)
    )


@pytest.mark.parametrize(
    "search_space",
    [
        {"algorithm": "dbscan", "dbscan_eps": [4.5, 5.5], "dbscan_min_samples": [4, 6]},
        {"algorithm": "gmm", "gmm_n_components": [6, 10]},
        {"algorithm": "spectral", "spectral_n_clusters": [6, 10]},
    ],
    ids=["dbscan", "gmm", "spectral"],
)
def test_every_algorithm_runs_through_the_search(search_space):
    config = ClusteringConfig.from_dict({"search": search_space | {"pca_components": [10, 10]}})
    result = search(config, iterations=3)
    assert result.best is not None
    assert result.best.params.model.algorithm == search_space["algorithm"]
    assert len(result.best.clusters) >= 6


def test_elites_passed_in_are_kept_when_better_and_the_list_stays_bounded():
    great = Elite(score=1e6, params=IterationParams(model=KMeansParams(n_clusters=8), pca_components=10))
    config = ClusteringConfig.from_dict(
        {"clustering_runs": 100, "search": {"num_clusters": [4, 16]}, "evolution": {"top_n_elites": 3}}
    )
    result = search(config, iterations=6, elites=[great], first_run_index=50)
    assert result.elites[0] == great
    assert len(result.elites) == 3
    assert [elite.score for elite in result.elites] == sorted((elite.score for elite in result.elites), reverse=True)


class StopAfter:
    """A should_stop that lets ``runs`` runs through; ``asked`` counts how often it was asked."""

    def __init__(self, runs: int):
        self.runs, self.asked = runs, 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.asked > self.runs


def test_a_batch_told_to_stop_after_k_runs_does_exactly_k_and_returns_the_best_so_far():
    should_stop = StopAfter(3)
    stopped = search(kmeans_config(), iterations=10, seed=3, should_stop=should_stop)
    first_three = search(kmeans_config(), iterations=3, seed=3)

    assert stopped.stopped and stopped.runs == 3
    assert should_stop.asked == 4  # before each of the three runs, then the refusal
    assert not first_three.stopped and first_three.best is not None
    # Asking does not draw random numbers: the three runs are exactly those of a 3-run batch.
    assert stopped == dataclasses.replace(first_three, stopped=True)


def test_a_batch_stopped_before_its_first_run_returns_its_elites_and_no_best():
    great = Elite(score=1e6, params=IterationParams(model=KMeansParams(n_clusters=8), pca_components=10))
    result = search(kmeans_config(), iterations=10, elites=[great], should_stop=StopAfter(0))
    assert result == BatchResult(best=None, elites=(great,), runs=0, unusable_runs=0, stopped=True)
    assert BatchResult.from_dict(json.loads(json.dumps(result.as_dict()))) == result
