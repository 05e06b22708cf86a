"""Sonic fingerprint: one direction that sums up what someone listens to.

Each of their most played songs weighs ``exp(-ln 2 * days_since_played / HALF_LIFE_DAYS)``
(a song played today counts 1, a month ago 1/2, two months ago 1/4);
a song with no known last play gets ``UNKNOWN_PLAY_WEIGHT``, below any song
played in the last three months. The fingerprint is the weighted mean
direction of their embeddings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from similarity.engine.songs import unit

HALF_LIFE_DAYS = 30.0
UNKNOWN_PLAY_WEIGHT = 0.1


def recency_weight(*, last_played: datetime | None, now: datetime) -> float:
    """Weight of a song last played at ``last_played`` (timezone-aware) as seen at ``now``."""
    if last_played is None:
        return UNKNOWN_PLAY_WEIGHT
    days = max(0.0, (now - last_played).total_seconds() / 86400.0)
    return math.exp(-math.log(2.0) * days / HALF_LIFE_DAYS)


def fingerprint_vector(vectors: np.ndarray, *, weights: Sequence[float]) -> np.ndarray:
    """Weighted mean direction of ``vectors`` [shape=(n, d)]; unit length, shape (d,)."""
    vectors = np.asarray(vectors, dtype=np.float64)
    weights_array = np.asarray(weights, dtype=np.float64)
    if len(vectors) == 0 or len(vectors) != len(weights_array) or weights_array.sum() <= 0:
        raise ValueError("a fingerprint needs at least one vector with a positive weight")
    directions = np.stack([unit(vector) for vector in vectors])
    return unit(weights_array @ directions / weights_array.sum())
