"""Building the ONNX files: atomic, idempotent, self-describing."""

from __future__ import annotations

import json
import runpy

import onnx
import pytest

from analysis.audio.labels import MSD_LABELS, MTT_LABELS
from analysis.audio.model_build import (
    build_musicnn_models,
    models_present,
    musicnn_checkpoint_dir,
)


def test_build_writes_one_file_per_variant(musicnn_model_paths):
    assert [path.name for path in musicnn_model_paths.values()] == [
        "musicnn_msd.onnx",
        "musicnn_mtt.onnx",
    ]
    directory = musicnn_model_paths["msd"].parent
    assert models_present(directory)
    assert sorted(p.name for p in directory.iterdir()) == ["musicnn_msd.onnx", "musicnn_mtt.onnx"]


def test_models_carry_variant_and_labels(musicnn_model_paths):
    for variant, labels in (("msd", MSD_LABELS), ("mtt", MTT_LABELS)):
        model = onnx.load(musicnn_model_paths[variant])
        props = {prop.key: prop.value for prop in model.metadata_props}
        assert props["audiomuse.musicnn.variant"] == variant
        assert tuple(json.loads(props["audiomuse.musicnn.labels"])) == labels


def test_build_skips_current_models_unless_forced(tmp_path):
    (path,) = build_musicnn_models(tmp_path, variants=["msd"])
    first = path.stat()
    build_musicnn_models(tmp_path, variants=["msd"])
    assert path.stat().st_ino == first.st_ino and path.stat().st_mtime_ns == first.st_mtime_ns
    build_musicnn_models(tmp_path, variants=["msd"], force=True)
    assert path.stat().st_ino != first.st_ino  # replaced by rename, not rewritten in place
    assert [p.name for p in tmp_path.iterdir()] == ["musicnn_msd.onnx"]  # no temp files left


def test_build_replaces_damaged_model(tmp_path):
    assert not models_present(tmp_path, variants=["mtt"])
    (path,) = build_musicnn_models(tmp_path, variants=["mtt"])
    path.write_bytes(path.read_bytes()[:1000])
    assert not models_present(tmp_path, variants=["mtt"])
    build_musicnn_models(tmp_path, variants=["mtt"])
    assert models_present(tmp_path, variants=["mtt"])


def test_model_of_other_variant_is_not_current(tmp_path):
    (msd,) = build_musicnn_models(tmp_path, variants=["msd"])
    msd.rename(tmp_path / "musicnn_mtt.onnx")
    assert not models_present(tmp_path, variants=["mtt"])


def test_unknown_variant_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="unknown musicnn variant"):
        build_musicnn_models(tmp_path, variants=["msd_big"])


def test_labels_match_the_musicnn_package():
    """Our copies must keep musicnn's order: index i is output unit i."""
    configuration = runpy.run_path(str(musicnn_checkpoint_dir("msd").parent / "configuration.py"))
    assert list(MSD_LABELS) == configuration["MSD_LABELS"]
    assert list(MTT_LABELS) == configuration["MTT_LABELS"]
