"""Purity and diversity reproduce the worked examples of the spec (section 2.3); weights pick the metrics."""

import numpy as np
import pytest

from clustering.engine.defaults import FitnessSettings, LnStats, ScoreWeights
from clustering.engine.fitness import (
    fitness,
    mood_diversity_raw,
    mood_purity_raw,
    normalised,
    other_feature_diversity_raw,
    other_feature_purity_raw,
)
from tests.clustering.engine.synthetic import planted_library

# The worked examples' moods, as columns.
POP, INDIE, VOCAL, ROCK = range(4)


def moods(**values: float) -> np.ndarray:
    row = np.zeros(4)
    for label, value in values.items():
        row[["pop", "indie", "vocal", "rock"].index(label)] = value
    return row


def test_purity_of_the_worked_example_is_one():
    # Playlist top moods pop 0.6, indie 0.4, vocal 0.35; song A counts vocal 0.6, song B indie 0.4.
    profile = moods(pop=0.6, indie=0.4, vocal=0.35, rock=0.1)
    songs = np.stack([moods(indie=0.3, rock=0.7, vocal=0.6), moods(indie=0.4, rock=0.45, vocal=0.3)])
    raw = mood_purity_raw(
        moods=songs, labels=np.array([0, 0]), profile_moods=profile[None, :], top_k=3, active_per_song=5
    )
    assert raw == pytest.approx(1.0)


def test_a_song_sharing_no_top_mood_with_its_playlist_adds_nothing():
    profile = moods(pop=0.6, indie=0.4, vocal=0.35, rock=0.1)
    songs = np.stack([moods(indie=0.3, rock=0.7, vocal=0.6), moods(rock=0.9)])
    # Only its single most probable mood is active: rock for both, outside the top 3.
    assert mood_purity_raw(
        moods=songs, labels=np.array([0, 0]), profile_moods=profile[None, :], top_k=3, active_per_song=1
    ) == pytest.approx(0.0)
    # With two active moods song A counts vocal again; song B (rock alone) still nothing.
    assert mood_purity_raw(
        moods=songs, labels=np.array([0, 0]), profile_moods=profile[None, :], top_k=3, active_per_song=2
    ) == pytest.approx(0.6)


def test_purity_sums_over_playlists_each_with_its_own_top_moods():
    profiles = np.stack([moods(pop=0.9), moods(rock=0.9)])
    songs = np.stack([moods(pop=0.8), moods(rock=0.7), moods(pop=0.5)])
    raw = mood_purity_raw(moods=songs, labels=np.array([0, 1, 1]), profile_moods=profiles, top_k=1, active_per_song=5)
    assert raw == pytest.approx(0.8 + 0.7)  # the pop song in the rock playlist adds nothing


def test_diversity_of_the_worked_example_is_one_point_six_five():
    profiles = np.stack([moods(indie=0.6, pop=0.2), moods(pop=0.5, vocal=0.1), moods(vocal=0.55, indie=0.3)])
    assert mood_diversity_raw(profile_moods=profiles) == pytest.approx(1.65)


def test_a_dominant_mood_shared_by_playlists_counts_once_with_its_best_score():
    profiles = np.stack([moods(indie=0.6), moods(indie=0.7), moods(pop=0.5)])
    assert mood_diversity_raw(profile_moods=profiles) == pytest.approx(0.7 + 0.5)


def test_raw_scores_are_log1p_then_min_max_normalised():
    stats = LnStats(min=0.0, max=np.log1p(3.0), mean=0.0, sd=1.0)
    assert normalised(0.0, stats=stats) == pytest.approx(0.0)
    assert normalised(3.0, stats=stats) == pytest.approx(1.0)
    assert normalised(1.0, stats=stats) == pytest.approx(np.log(2) / np.log(4))


def test_other_features_count_only_where_predominant():
    profiles = np.array([[0.8, 0.1], [0.2, 0.25]])  # second playlist: nothing reaches 0.3
    tracks = np.array([[0.9, 0.0], [0.7, 0.4], [0.3, 0.2]])
    labels = np.array([0, 0, 1])
    purity = other_feature_purity_raw(other_features=tracks, labels=labels, profile_features=profiles, threshold=0.3)
    assert purity == pytest.approx(0.9 + 0.7)
    assert other_feature_diversity_raw(profile_features=profiles, threshold=0.3) == pytest.approx(0.8)


def score_planted(weights: ScoreWeights):
    library = planted_library(per_blob=10)
    data = library.data
    return fitness(
        features=data.embeddings,
        labels=library.blobs,
        score_vectors=data.score_vectors,
        layout=data.layout,
        settings=FitnessSettings(weights=weights),
        use_embeddings=True,
        rng=np.random.default_rng(0),
    )


def test_metrics_with_zero_weight_are_not_computed():
    scored = score_planted(ScoreWeights())
    assert set(scored.metrics) == {"diversity", "purity", "diversity_raw", "purity_raw"}
    assert scored.score == pytest.approx(2.0 * scored.metrics["diversity"] + scored.metrics["purity"])


def test_every_weighted_metric_enters_the_score():
    weights = ScoreWeights(
        diversity=0,
        purity=0,
        other_feature_diversity=1,
        other_feature_purity=1,
        silhouette=1,
        davies_bouldin=1,
        calinski_harabasz=1,
    )
    scored = score_planted(weights)
    names = ("other_feature_diversity", "other_feature_purity", "silhouette", "davies_bouldin", "calinski_harabasz")
    assert scored.score == pytest.approx(sum(scored.metrics[name] for name in names))
    assert scored.metrics["silhouette"] > 0.3  # the planted blobs are well separated
    assert 0 < scored.metrics["davies_bouldin"] < 1
    assert 0 < scored.metrics["calinski_harabasz"] < 1
