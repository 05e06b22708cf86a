"""Load the compiled signal-feature code once, in the process that forks the workers."""

from __future__ import annotations

import numpy as np

from analysis.audio.features import SAMPLE_RATE, signal_features

WARM_UP_SECONDS = 4.0


def warm_up_signal_features() -> None:
    """Measure the signal features of a short synthetic clip, once.

    librosa compiles its numba kernels when its submodules are first imported
    and caches them on disk next to its code. Two freshly forked worker
    processes importing them at the same moment on a new install can load a
    half-written cache file and die with SIGSEGV. Done once before the fork,
    the children inherit the loaded code and never touch that cache.
    """
    seconds = np.arange(int(SAMPLE_RATE * WARM_UP_SECONDS)) / SAMPLE_RATE
    tone = 0.3 * np.sin(2 * np.pi * 220.0 * seconds) + 0.05 * np.sin(2 * np.pi * 3.0 * seconds)
    signal_features(tone.astype(np.float32))
