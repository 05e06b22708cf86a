"""The worker's warm-up loads every compiled signal-feature kernel before the pool forks."""

import subprocess
import sys

from tests.infrastructure import REPO_DIR

# Runs in a fresh interpreter: prints the modules a first real measurement imports,
# without and then with the warm-up, one per line after a marker.
_PROBE = """
import sys
import numpy as np
from analysis.audio.features import signal_features
from analysis.audio.warmup import warm_up_signal_features

clip = np.random.default_rng(7).normal(scale=0.1, size=16000 * 9).astype(np.float32)
if sys.argv[1] == "warm":
    warm_up_signal_features()
before = set(sys.modules)
signal_features(clip)
print("NEW", *sorted(set(sys.modules) - before))
"""


def _modules_imported_by_first_measurement(mode: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, mode], cwd=REPO_DIR, capture_output=True, text=True, timeout=300, check=True
    )
    marker = next(line for line in result.stdout.splitlines() if line.startswith("NEW"))
    return marker.split()[1:]


def test_without_warm_up_the_first_track_imports_librosa_kernels():
    # The hazard itself: a forked worker's first track would import (and load
    # numba's on-disk cache for) these modules.
    assert "librosa.core.pitch" in _modules_imported_by_first_measurement("cold")


def test_after_warm_up_the_first_track_imports_nothing():
    assert _modules_imported_by_first_measurement("warm") == []


def test_warm_up_runs_when_a_worker_starts():
    from celery.signals import worker_init

    from analysis.apps import warm_up_before_fork

    # Connected strongly (weak=False), so the receiver is stored as it is.
    assert any(receiver is warm_up_before_fork for _, receiver in worker_init.receivers)
