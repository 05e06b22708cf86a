"""Feature-based names: deterministic, unique, ASCII, bounded, with an optional proposer in front."""

import numpy as np
import pytest

from clustering.engine import ScoreLayout, name_playlists
from clustering.engine.naming import feature_name, playlist_traits, sanitised_name

LAYOUT = ScoreLayout(mood_labels=("rock", "female vocalists", "Hip-Hop", "jazz"), tempo_range_bpm=(40.0, 200.0))
FEATURES = ("danceable", "aggressive", "happy", "party", "relaxed", "sad")


def centroid(*, tempo_bpm=120.0, energy=0.5, moods=(0, 0, 0, 0), **features):
    tempo = (tempo_bpm - 40.0) / 160.0
    return np.array([tempo, energy, *moods, *(features.get(name, 0.0) for name in FEATURES)])


ROCK_FAST_AGGRESSIVE = centroid(tempo_bpm=150, moods=(0.7, 0.1, 0.05, 0.0), aggressive=0.8, danceable=0.3)


def test_name_is_top_mood_tempo_band_and_strongest_feature():
    assert name_playlists([ROCK_FAST_AGGRESSIVE], layout=LAYOUT) == ["Rock_Fast_Aggressive_automatic"]


def test_a_close_second_mood_joins_and_labels_become_camel_case():
    slow_pair = centroid(tempo_bpm=70, moods=(0.0, 0.5, 0.45, 0.1))
    assert feature_name(playlist_traits(slow_pair, layout=LAYOUT)) == "FemaleVocalists_HipHop_Slow"


def test_traits_describe_the_centroid_for_an_ai_prompt():
    traits = playlist_traits(ROCK_FAST_AGGRESSIVE, layout=LAYOUT)
    assert traits.top_moods[0] == ("rock", pytest.approx(0.7))
    assert traits.tempo_bpm == pytest.approx(150.0)
    assert traits.tempo_band == "Fast"
    assert [name for name, _ in traits.strong_features] == ["aggressive"]


def test_clashing_names_get_numbered_and_naming_repeats():
    centroids = [ROCK_FAST_AGGRESSIVE, ROCK_FAST_AGGRESSIVE * 1.01, ROCK_FAST_AGGRESSIVE]
    names = name_playlists(centroids, layout=LAYOUT)
    assert names == [
        "Rock_Fast_Aggressive_automatic",
        "Rock_Fast_Aggressive_2_automatic",
        "Rock_Fast_Aggressive_3_automatic",
    ]
    assert name_playlists(centroids, layout=LAYOUT) == names


def test_names_are_printable_ascii_and_length_limited():
    long_labels = ScoreLayout(mood_labels=("Ünïcödé sœur " * 10, "b"), tempo_range_bpm=(40.0, 200.0))
    centroids = [np.array([0.5, 0.5, 0.9, 0.1, 0, 0, 0, 0, 0, 0])] * 3
    names = name_playlists(centroids, layout=long_labels, max_length=40)
    assert len(set(names)) == 3
    for name in names:
        assert len(name) <= 40
        assert name.isascii() and name.isprintable()
        assert name.endswith("_automatic")


def test_a_proposed_name_is_sanitised_and_the_feature_name_is_its_fallback():
    proposals = {0: "Café  del Mar: Night 🌙 Drive_automatic", 1: None, 2: "🌙🌙"}
    names = name_playlists([ROCK_FAST_AGGRESSIVE] * 3, layout=LAYOUT, propose=lambda traits, index: proposals[index])
    assert names == [
        "Cafe del Mar Night Drive_automatic",
        "Rock_Fast_Aggressive_automatic",
        "Rock_Fast_Aggressive_2_automatic",
    ]


def test_uniqueness_ignores_case():
    names = name_playlists([ROCK_FAST_AGGRESSIVE] * 2, layout=LAYOUT, propose=lambda t, i: ["Night", "NIGHT"][i])
    assert names == ["Night_automatic", "NIGHT_2_automatic"]


def test_a_centroid_without_moods_or_features_is_named_by_its_tempo():
    assert name_playlists([centroid(tempo_bpm=100)], layout=LAYOUT) == ["Medium_automatic"]


def test_sanitising_keeps_letters_digits_spaces_dashes_and_underscores():
    assert sanitised_name("  80s -- Synth/Pop!!  ") == "80s - Synth Pop"
