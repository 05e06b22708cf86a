"""The defaults are AudioMuse-AI's; the config crosses the broker as JSON and rejects nonsense."""

import json

import pytest

from clustering.engine import ClusteringConfig, InvalidClusteringConfigError


def test_defaults_are_those_of_the_original_system():
    config = ClusteringConfig()
    assert config.clustering_runs == 1000
    assert config.search.algorithm == "kmeans"
    assert config.search.num_clusters == (40, 100)
    assert config.postprocessing.top_n_playlists == 10
    assert config.postprocessing.min_playlist_size_for_top_n == 20
    assert config.postprocessing.max_songs_per_artist == 3
    weights = config.fitness.weights
    assert (weights.diversity, weights.purity) == (2.0, 1.0)
    assert weights.silhouette == weights.davies_bouldin == weights.calinski_harabasz == 0
    assert weights.other_feature_diversity == weights.other_feature_purity == 0
    assert config.fitness.top_k_moods_for_purity == 3
    evolution = config.evolution
    assert evolution.top_n_elites == 10
    assert (evolution.exploitation_start_fraction, evolution.exploitation_probability) == (0.2, 0.7)
    assert (evolution.mutation_int_abs_delta, evolution.mutation_float_abs_delta) == (3, 0.05)


def test_config_survives_a_json_round_trip():
    config = ClusteringConfig.from_dict({"search": {"algorithm": "gmm", "gmm_n_components": [5, 9]}})
    assert ClusteringConfig.from_dict(json.loads(json.dumps(config.as_dict()))) == config
    assert config.search.gmm_n_components == (5, 9)
    assert config.search.num_clusters == (40, 100)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"search": {"algorithm": "hdbscan"}}, "algorithm must be one of"),
        ({"search": {"num_clusters": [50, 10]}}, "num_clusters must satisfy"),
        ({"evolution": {"exploitation_probability": 1.5}}, "exploitation_probability"),
        ({"clustering_runs": 0}, "clustering_runs must be at least 1"),
        ({"search": {"n_clusters": [1, 2]}}, "unknown SearchSpace settings: n_clusters"),
    ],
)
def test_bad_settings_raise_a_typed_error_naming_the_setting(mapping, message):
    with pytest.raises(InvalidClusteringConfigError, match=message):
        ClusteringConfig.from_dict(mapping)
