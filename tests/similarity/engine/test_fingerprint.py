"""Fingerprint recency weights and the weighted mean direction."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from similarity.engine.fingerprint import UNKNOWN_PLAY_WEIGHT, fingerprint_vector, recency_weight
from tests.similarity.engine.geometry import direction

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(("days", "weight"), [(0, 1.0), (30, 0.5), (60, 0.25), (15, 2**-0.5)])
def test_weight_halves_every_thirty_days(days, weight):
    assert recency_weight(last_played=NOW - timedelta(days=days), now=NOW) == pytest.approx(weight)


def test_unknown_last_play_gets_the_fixed_lower_weight():
    assert recency_weight(last_played=None, now=NOW) == UNKNOWN_PLAY_WEIGHT
    assert recency_weight(last_played=NOW - timedelta(days=90), now=NOW) > UNKNOWN_PLAY_WEIGHT
    assert recency_weight(last_played=NOW + timedelta(hours=1), now=NOW) == 1.0  # clocks disagree a little


def test_fingerprint_leans_towards_the_heavier_song():
    vectors = np.stack([direction(0), direction(90)])
    assert fingerprint_vector(vectors, weights=[1.0, 1.0]) == pytest.approx(direction(45))
    leaning = fingerprint_vector(vectors, weights=[1.0, 0.25])
    assert np.degrees(np.arctan2(leaning[1], leaning[0])) == pytest.approx(np.degrees(np.arctan(0.25)))
    with pytest.raises(ValueError):
        fingerprint_vector(vectors, weights=[0.0, 0.0])
