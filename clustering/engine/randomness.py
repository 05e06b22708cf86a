"""Every random choice of the engine flows from one ``numpy.random.Generator`` the caller passes in."""

import numpy as np

_SEED_BOUND = 2**31 - 1


def sklearn_seed(rng: np.random.Generator) -> int:
    """An int ``random_state`` drawn from ``rng``, so scikit-learn models repeat with the caller's seed."""
    return int(rng.integers(_SEED_BOUND))
