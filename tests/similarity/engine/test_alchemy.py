"""Alchemy maths: centroids, the subtract filter on two clusters, temperature sampling, 2-D projection."""

from collections import Counter

import numpy as np
import pytest

from similarity.engine.alchemy import (
    centroid,
    project_2d,
    sample_by_temperature,
    sampling_logits,
    split_by_subtract,
)
from tests.similarity.engine.geometry import at, direction


def test_centroid_is_the_mean_direction_of_unit_vectors():
    assert centroid(np.stack([direction(0), 4 * direction(90)])) == pytest.approx(direction(45))
    with pytest.raises(ValueError):
        centroid(np.empty((0, 8)))


def test_subtract_moves_the_cluster_near_the_subtracted_song_aside():
    rock = [at(f"rock{i}", angle) for i, angle in enumerate((0, 5, 10))]
    jazz = [at(f"jazz{i}", angle) for i, angle in enumerate((80, 85, 90))]
    split = split_by_subtract(rock + jazz, subtract_centroid=direction(85), min_distance=0.2)
    assert [s.item_id for s in split.kept] == ["rock0", "rock1", "rock2"]
    assert [s.item_id for s in split.removed] == ["jazz0", "jazz1", "jazz2"]
    assert split.removed_distances == pytest.approx([1 - np.cos(np.radians(5)), 0.0, 1 - np.cos(np.radians(5))])
    assert split_by_subtract(rock, subtract_centroid=None, min_distance=0.2).kept == tuple(rock)


def test_temperature_zero_takes_the_nearest_every_time():
    distances = np.array([0.3, 0.1, 0.5, 0.2, 0.4])
    for seed in range(5):
        chosen = sample_by_temperature(distances, n=3, temperature=0.0, rng=np.random.default_rng(seed))
        assert chosen.tolist() == [1, 3, 0]


def test_the_same_seed_draws_the_same_songs():
    distances = np.linspace(0.05, 0.5, 40)
    first = sample_by_temperature(distances, n=10, temperature=5.0, rng=np.random.default_rng(42))
    second = sample_by_temperature(distances, n=10, temperature=5.0, rng=np.random.default_rng(42))
    assert first.tolist() == second.tolist()
    assert distances[first].tolist() == sorted(distances[first].tolist())


def test_first_draws_follow_the_softmax_of_similarity_over_temperature():
    distances = np.array([0.10, 0.12, 0.15, 0.30])
    logits = sampling_logits(distances, temperature=4.0)
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    rng = np.random.default_rng(7)
    draws = Counter(
        int(np.argmin(np.where(np.isin(np.arange(4), chosen), distances, np.inf)))
        for chosen in (sample_by_temperature(distances, n=1, temperature=4.0, rng=rng) for _ in range(4000))
    )
    observed = np.array([draws[i] for i in range(4)]) / 4000
    assert observed == pytest.approx(expected, abs=0.03)


def test_a_higher_temperature_spreads_the_draws_further():
    distances = np.linspace(0.05, 0.6, 60)

    def mean_rank(temperature):
        rng = np.random.default_rng(3)
        return np.mean(
            [sample_by_temperature(distances, n=10, temperature=temperature, rng=rng).mean() for _ in range(50)]
        )

    assert mean_rank(0.5) < mean_rank(20.0)


def test_sampling_survives_probabilities_that_underflow():
    distances = np.concatenate([[0.001], np.full(20, 0.5)])
    chosen = sample_by_temperature(distances, n=5, temperature=0.01, rng=np.random.default_rng(0))
    assert len(set(chosen.tolist())) == 5 and chosen[0] == 0


def test_projection_keeps_the_two_main_directions():
    line = np.stack([t * direction(0) + 0.1 * (t % 2) * direction(90) for t in range(6)])
    projection = project_2d(line)
    assert projection.method == "pca"
    assert projection.points.shape == (6, 2)
    spread = projection.points.std(axis=0)
    assert spread[0] > 10 * spread[1] > 0
    assert project_2d(line[:1]).points.tolist() == [[0.0, 0.0]]
