"""Stratified sampling by primary genre, and the perturbation between runs."""

import numpy as np
import pytest

from clustering.engine import build_clustering_data
from clustering.engine.defaults import SamplingSettings
from clustering.engine.sampling import NO_GENRE, primary_genres, sampling_plan, stratified_sample

LABELS = ("rock", "jazz", "sad")


def library(genre_sizes: dict[str, int], *, unlabelled: int = 0):
    """Tracks whose single mood is their genre; ``unlabelled`` tracks only have "sad" (not a stratified genre)."""
    genres = [genre for genre, size in genre_sizes.items() for _ in range(size)] + ["sad"] * unlabelled
    moods = np.array([[0.8 if label == genre else 0.0 for label in LABELS] for genre in genres]).reshape(-1, 3)
    count = len(genres)
    return build_clustering_data(
        item_ids=[f"t{i}" for i in range(count)],
        embeddings=np.zeros((count, 2)),
        tempo_bpm=np.full(count, 100.0),
        energy=np.full(count, 0.5),
        moods=moods,
        other_features=np.zeros((count, 6)),
        artists=[""] * count,
        mood_labels=LABELS,
        tempo_range_bpm=(40.0, 200.0),
    )


SETTINGS = SamplingSettings(stratified_genres=("rock", "jazz"), min_songs_per_genre=10, target_percentile=50)


def test_primary_genre_is_the_most_probable_stratified_genre_or_none():
    data = library({"rock": 2, "jazz": 1}, unlabelled=1)
    assert primary_genres(data=data, stratified_genres=("rock", "jazz")).tolist() == ["rock", "rock", "jazz", NO_GENRE]


def test_large_genres_are_thinned_to_the_target_and_small_ones_kept_whole():
    data = library({"rock": 300, "jazz": 20}, unlabelled=5)
    plan = sampling_plan(data=data, settings=SETTINGS)
    assert plan.target_per_genre == 160  # the median of 300 and 20
    assert plan.sample_size == 160 + 20 + 5
    sample = stratified_sample(plan=plan, previous=None, change_per_run=0.2, rng=np.random.default_rng(0))
    genres = primary_genres(data=data, stratified_genres=("rock", "jazz"))[sample]
    assert (genres == "rock").sum() == 160
    assert (genres == "jazz").sum() == 20
    assert len(np.unique(sample)) == len(sample)


def test_the_target_is_never_below_the_minimum_per_genre():
    plan = sampling_plan(data=library({"rock": 8, "jazz": 4}), settings=SETTINGS)
    assert plan.target_per_genre == 10
    assert plan.sample_size == 12  # a small library is clustered whole


def test_each_run_keeps_most_of_the_previous_sample():
    plan = sampling_plan(data=library({"rock": 1000, "jazz": 100}), settings=SETTINGS)
    rng = np.random.default_rng(1)
    first = stratified_sample(plan=plan, previous=None, change_per_run=0.2, rng=rng)
    second = stratified_sample(plan=plan, previous=first, change_per_run=0.2, rng=rng)
    assert len(second) == len(first) == plan.sample_size
    rock_sample = plan.target_per_genre
    shared = len(np.intersect1d(first, second))
    # jazz (100, all taken) cannot change; rock keeps 80 % of its sample.
    assert shared == pytest.approx(100 + 0.8 * rock_sample, abs=1)


def test_sampling_repeats_with_the_same_seed():
    plan = sampling_plan(data=library({"rock": 500, "jazz": 50}), settings=SETTINGS)
    runs = [
        stratified_sample(plan=plan, previous=None, change_per_run=0.2, rng=np.random.default_rng(7)) for _ in range(2)
    ]
    assert runs[0].tolist() == runs[1].tolist()


def test_a_library_of_one_genre_is_one_stratum():
    plan = sampling_plan(data=library({"rock": 50}), settings=SETTINGS)
    assert plan.genres == ("rock",)
    assert plan.sample_size == 50
