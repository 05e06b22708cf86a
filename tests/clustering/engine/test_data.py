"""Score vectors are [tempo, energy, moods, other features]; mismatched inputs are typed errors."""

import numpy as np
import pytest

from clustering.engine import InvalidClusteringInputError, build_clustering_data, probability_matrix
from clustering.engine.defaults import OTHER_FEATURE_LABELS


def build(count=3, **overrides):
    arguments = {
        "item_ids": [f"t{i}" for i in range(count)],
        "embeddings": np.ones((count, 4)),
        "tempo_bpm": np.full(count, 120.0),
        "energy": np.full(count, 0.5),
        "moods": np.zeros((count, 2)),
        "other_features": np.zeros((count, 6)),
        "artists": ["a"] * count,
        "mood_labels": ("rock", "jazz"),
        "tempo_range_bpm": (40.0, 200.0),
    }
    return build_clustering_data(**(arguments | overrides))


def test_score_vector_columns_are_tempo_energy_moods_other_features():
    data = build(
        count=2,
        tempo_bpm=np.array([40.0, 200.0]),
        energy=np.array([0.2, 0.9]),
        moods=np.array([[0.7, 0.1], [0.0, 0.8]]),
        other_features=np.tile(np.linspace(0, 0.5, 6), (2, 1)),
    )
    assert data.layout.width == 2 + 2 + 6
    assert data.score_vectors[0] == pytest.approx([0.0, 0.2, 0.7, 0.1, *np.linspace(0, 0.5, 6)])
    assert data.score_vectors[1, :2] == pytest.approx([1.0, 0.9])
    assert data.moods[1] == pytest.approx([0.0, 0.8])
    assert data.layout.other_feature_labels == OTHER_FEATURE_LABELS
    assert data.layout.tempo_bpm(0.5) == pytest.approx(120.0)


def test_tempo_outside_the_bounds_is_clipped_and_unknown_values_take_the_mean():
    data = build(tempo_bpm=np.array([20.0, 300.0, np.nan]), energy=np.array([0.2, np.nan, 0.4]))
    assert data.score_vectors[:, 0] == pytest.approx([0.0, 1.0, 0.5])
    assert data.score_vectors[:, 1] == pytest.approx([0.2, 0.3, 0.4])


def test_probability_matrix_follows_the_label_order_and_fills_missing_labels_with_zero():
    rows = [{"jazz": 0.4, "rock": 0.1}, {"rock": 0.9, "unknown": 1.0}]
    assert probability_matrix(rows, labels=("rock", "jazz")) == pytest.approx(np.array([[0.1, 0.4], [0.9, 0.0]]))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"embeddings": np.ones((2, 4))}, "embeddings has 2 rows for 3 item ids"),
        ({"moods": np.zeros((3, 5))}, r"moods must have shape \(n_tracks, 2\)"),
        ({"artists": ["a"]}, "artists has 1 rows"),
        ({"item_ids": ["t0", "t0", "t1"]}, "item ids must be unique"),
        ({"tempo_range_bpm": (200.0, 40.0)}, "tempo range must be increasing"),
    ],
)
def test_inputs_that_do_not_fit_together_are_rejected_with_a_message(overrides, message):
    with pytest.raises(InvalidClusteringInputError, match=message):
        build(**overrides)


def test_rows_of_unknown_item_ids_is_a_typed_error():
    data = build()
    assert data.rows_of(["t2", "t0"]).tolist() == [2, 0]
    with pytest.raises(InvalidClusteringInputError, match="'nope' is not in the clustering data"):
        data.rows_of(["nope"])
