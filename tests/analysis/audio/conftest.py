"""Shared fixtures: the musicnn reference data, models built once per session, the corpus."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from analysis.audio.model_build import build_musicnn_models
from tests.corpus import corpus_dir  # noqa: F401 - the real-music fixture, for test_corpus_analysis
from tests.shared_data import REFERENCE_DIR

from .reference import CLIPS, VARIANTS


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The musicnn ground-truth directory (outputs of the original TF graph)."""
    reference = REFERENCE_DIR
    if not (reference / "musicnn" / "minuet.npz").is_file():
        pytest.fail(
            f"musicnn reference data missing: expected {reference}/musicnn/"
            "<clip>.npz (the shared test data belongs beside the repository, or set AUDIOMUSE_SHARED_DIR)"
        )
    return reference


@pytest.fixture(scope="session")
def references(reference_dir: Path) -> dict[str, dict[str, np.ndarray]]:
    """clip -> arrays of `<reference_dir>/musicnn/<clip>.npz`, loaded once."""
    loaded = {}
    for clip in CLIPS:
        with np.load(reference_dir / "musicnn" / f"{clip}.npz") as npz:
            loaded[clip] = dict(npz)
    return loaded


@pytest.fixture(scope="session")
def musicnn_model_paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """variant -> ONNX file converted from the musicnn wheel's checkpoint."""
    paths = build_musicnn_models(tmp_path_factory.mktemp("musicnn_models"), variants=VARIANTS)
    return dict(zip(VARIANTS, paths, strict=True))


@pytest.fixture(scope="session")
def musicnn_sessions(musicnn_model_paths: dict[str, Path]) -> dict[str, ort.InferenceSession]:
    """variant -> a 2-thread ONNX Runtime session over all graph outputs."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    return {
        variant: ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
        for variant, path in musicnn_model_paths.items()
    }
