"""Exploration within the ranges, exploitation of elites by clamped mutation, the elite list."""

import json

import numpy as np

from clustering.engine import DBSCANParams, Elite, IterationParams, KMeansParams, updated_elites
from clustering.engine.defaults import EvolutionSettings, SearchSpace
from clustering.engine.evolution import mutated_params, next_params, random_params

KMEANS = SearchSpace(num_clusters=(40, 100), pca_components=(0, 199))
DEFAULT_EVOLUTION = EvolutionSettings()
ELITE = Elite(score=5.0, params=IterationParams(model=KMeansParams(n_clusters=41), pca_components=198))


def draw(*, run_index, elites=(ELITE,), search=KMEANS, evolution=DEFAULT_EVOLUTION, seed=0, count=200):
    rng = np.random.default_rng(seed)
    return [
        next_params(search=search, evolution=evolution, elites=elites, run_index=run_index, total_runs=1000, rng=rng)
        for _ in range(count)
    ]


def test_exploration_stays_within_the_ranges_and_covers_them():
    drawn = [random_params(search=KMEANS, rng=np.random.default_rng(seed)) for seed in range(300)]
    clusters = [params.model.n_clusters for params in drawn]
    assert min(clusters) >= 40 and max(clusters) <= 100
    assert len(set(clusters)) > 40
    assert all(0 <= params.pca_components <= 199 for params in drawn)


def test_dbscan_draws_a_float_eps_and_an_int_min_samples():
    search = SearchSpace(algorithm="dbscan", dbscan_eps=(0.1, 0.5), dbscan_min_samples=(5, 20))
    params = random_params(search=search, rng=np.random.default_rng(0)).model
    assert isinstance(params, DBSCANParams)
    assert isinstance(params.eps, float) and 0.1 <= params.eps <= 0.5
    assert isinstance(params.min_samples, int) and 5 <= params.min_samples <= 20


def is_mutation_of_the_elite(params: IterationParams) -> bool:
    return abs(params.model.n_clusters - 41) <= 3 and abs(params.pca_components - 198) <= 3


def test_before_the_start_fraction_every_run_explores():
    # Run 199 of 1000 is before 20 %: no draw may be a mutation except by chance (rare).
    drawn = draw(run_index=199)
    assert sum(map(is_mutation_of_the_elite, drawn)) < 10


def test_after_the_start_fraction_about_seventy_percent_mutate_an_elite():
    drawn = draw(run_index=200)
    share = sum(map(is_mutation_of_the_elite, drawn)) / len(drawn)
    assert 0.6 < share < 0.85


def test_mutations_are_clamped_to_the_ranges():
    evolution = EvolutionSettings(exploitation_probability=1.0)
    for params in draw(run_index=500, evolution=evolution):
        assert 40 <= params.model.n_clusters <= 44
        assert 195 <= params.pca_components <= 199


def test_float_parameters_move_by_at_most_the_float_delta():
    search = SearchSpace(algorithm="dbscan", dbscan_eps=(0.1, 0.5), dbscan_min_samples=(5, 20))
    parent = IterationParams(model=DBSCANParams(eps=0.3, min_samples=10), pca_components=5)
    rng = np.random.default_rng(3)
    for _ in range(50):
        child = mutated_params(params=parent, search=search, evolution=EvolutionSettings(), rng=rng).model
        assert abs(child.eps - 0.3) <= 0.05 + 1e-12
        assert abs(child.min_samples - 10) <= 3


def test_elites_of_another_algorithm_are_not_mutated():
    search = SearchSpace(algorithm="dbscan")
    drawn = draw(run_index=900, search=search, evolution=EvolutionSettings(exploitation_probability=1.0), count=5)
    assert all(isinstance(params.model, DBSCANParams) for params in drawn)


def test_elites_keep_the_best_distinct_parameter_sets():
    def elite(score, clusters):
        return Elite(score=score, params=IterationParams(model=KMeansParams(n_clusters=clusters), pca_components=0))

    elites = updated_elites(
        elites=[elite(3.0, 50), elite(1.0, 60)], candidates=[elite(4.0, 50), elite(2.0, 70)], top_n=2
    )
    assert [(e.score, e.params.model.n_clusters) for e in elites] == [(4.0, 50), (2.0, 70)]


def test_parameters_and_elites_survive_a_json_round_trip():
    restored = Elite.from_dict(json.loads(json.dumps(ELITE.as_dict())))
    assert restored == ELITE
    assert ELITE.params.as_dict() == {"algorithm": "kmeans", "pca_components": 198, "n_clusters": 41}
