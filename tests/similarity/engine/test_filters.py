"""Duplicate, same-song, artist-cap and mood filters on songs with known angles."""

import numpy as np
import pytest

from similarity.engine.filters import (
    DuplicateRule,
    cap_per_artist,
    drop_near_duplicates,
    drop_same_songs,
    filter_by_mood,
    mood_distance,
)
from similarity.engine.songs import Metric, distance, pairwise_distances, song_signature
from tests.similarity.engine.geometry import at, direction, song

# 1 - cos(8.1 degrees) is just over 0.01, the default cosine threshold.
COSINE_RULE = DuplicateRule(threshold=0.01, lookback=1)


def test_distances_are_cosine_or_euclidean():
    right_angle = (direction(0), direction(90))
    assert distance(*right_angle, metric=Metric.ANGULAR) == pytest.approx(1.0)
    assert distance(*right_angle, metric=Metric.EUCLIDEAN) == pytest.approx(np.sqrt(2))
    assert distance(direction(0), 5 * direction(60), metric=Metric.ANGULAR) == pytest.approx(0.5)
    pairs = pairwise_distances(np.stack(right_angle), np.stack(right_angle), metric=Metric.EUCLIDEAN)
    assert pairs == pytest.approx(np.array([[0, np.sqrt(2)], [np.sqrt(2), 0]]))


def test_a_song_within_the_threshold_of_the_last_kept_one_is_a_duplicate():
    songs = [at("a", 10), at("a-remaster", 12), at("b", 30), at("b-live", 37), at("c", 50)]
    kept = drop_near_duplicates(songs, rule=COSINE_RULE)
    assert [s.item_id for s in kept] == ["a", "b", "c"]


def test_lookback_limits_the_comparison_to_recent_songs():
    # "a-copy" comes after "b": with lookback 1 only "b" is compared, with 2 both.
    songs = [at("a", 10), at("b", 40), at("a-copy", 12)]
    assert [s.item_id for s in drop_near_duplicates(songs, rule=COSINE_RULE)] == ["a", "b", "a-copy"]
    deeper = DuplicateRule(threshold=0.01, lookback=2)
    assert [s.item_id for s in drop_near_duplicates(songs, rule=deeper)] == ["a", "b"]


def test_references_are_always_compared_whatever_the_lookback():
    seeds = [direction(0), direction(60)]
    songs = [at("near-first-seed", 3), at("free", 30), at("near-second-seed", 61)]
    kept = drop_near_duplicates(songs, rule=COSINE_RULE, references=seeds)
    assert [s.item_id for s in kept] == ["free"]


def test_euclidean_threshold_uses_euclidean_distance():
    rule = DuplicateRule(threshold=0.15, lookback=1, metric=Metric.EUCLIDEAN)
    # chord length 2 sin(angle / 2): 8 degrees -> 0.14 (copy), 9 degrees -> 0.157 (kept)
    kept = drop_near_duplicates([at("a", 0), at("copy", 8), at("other", 17)], rule=rule)
    assert [s.item_id for s in kept] == ["a", "other"]


def test_same_title_and_artist_ignoring_case_accents_and_spaces_is_one_song():
    songs = [
        at("1", 10, title="Café del Mar", artist="Energy 52"),
        at("2", 40, title="cafe  del mar ", artist="ENERGY 52"),
        at("3", 70, title="Café del Mar", artist="Someone Else"),
    ]
    assert [s.item_id for s in drop_same_songs(songs)] == ["1", "3"]
    taken = [song_signature(title="CAFÉ DEL MAR", artist="energy 52")]
    assert [s.item_id for s in drop_same_songs(songs, taken=taken)] == ["3"]


def test_artist_cap_keeps_the_nearest_songs_of_each_artist():
    songs = [at(str(i), 10 * i, artist="Same" if i % 2 == 0 else f"Other {i}") for i in range(8)]
    kept = cap_per_artist(songs, cap=2)
    assert [s.item_id for s in kept] == ["0", "1", "2", "3", "5", "7"]
    assert [s.item_id for s in cap_per_artist(songs, cap=2, counted={"same": 1})] == ["0", "1", "3", "5", "7"]
    assert len(cap_per_artist(songs, cap=None)) == 8


def test_mood_filter_keeps_songs_whose_other_features_are_close():
    anchor = {"danceable": 0.8, "sad": 0.1}
    songs = [
        at("close", 10, danceable=0.7, sad=0.2),
        at("far", 20, danceable=0.1, sad=0.9),
        at("unknown", 30),
    ]
    assert mood_distance(anchor, songs[0].features) == pytest.approx(0.1)
    kept = filter_by_mood(songs, anchor_features=anchor, threshold=0.15)
    assert [s.item_id for s in kept] == ["close", "unknown"]
    assert len(filter_by_mood(songs, anchor_features={}, threshold=0.15)) == 3


def test_song_helper_makes_unit_vectors():
    assert np.linalg.norm(song("x", 3 * direction(20)).vector) == pytest.approx(1.0)
