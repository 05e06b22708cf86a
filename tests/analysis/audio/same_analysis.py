"""The analysis is deterministic: two runs over the same audio agree to the bit."""

from __future__ import annotations

import numpy as np


def assert_same_analysis(first, second) -> None:
    """The same embedding, tags, tempo, key, scale and other features (mood vectors depend on the config)."""
    np.testing.assert_array_equal(first.embedding, second.embedding)
    assert first.msd_tags == second.msd_tags and first.mtt_tags == second.mtt_tags
    assert (first.tempo, first.key, first.scale, first.other_features) == (
        second.tempo,
        second.key,
        second.scale,
        second.other_features,
    )
