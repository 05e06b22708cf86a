"""Convert musicnn's pretrained TF1 checkpoints into ONNX files, once.

The checkpoints ship inside the `musicnn` wheel (installed without its
TensorFlow dependency); only their data files are read, never its modules.
Each model is written to a temporary file and renamed into place, so a
crashed or concurrent build never leaves a half-written model behind.
"""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import onnx
from google.protobuf.message import DecodeError

from analysis.audio.errors import ModelError
from analysis.audio.labels import MSD_LABELS, MTT_LABELS
from analysis.audio.musicnn_graph import (
    EMBEDDING_OUTPUT,
    INPUT_NAME,
    TAGS_OUTPUT,
    build_musicnn_graph,
)
from analysis.audio.tensorbundle import read_bundle_index, read_tensor_bundle

# Bump when the generated graph changes, so existing files get rebuilt.
GRAPH_FORMAT_VERSION = "1"
DEFAULT_VARIANTS = ("msd", "mtt")

# Keys of the model's metadata_props (read back by analyze.ModelSet).
VARIANT_METADATA_KEY = "audiomuse.musicnn.variant"
FORMAT_METADATA_KEY = "audiomuse.musicnn.format"
LABELS_METADATA_KEY = "audiomuse.musicnn.labels"


@dataclass(frozen=True)
class _Variant:
    checkpoint_dir: str  # directory inside the musicnn package
    labels: tuple[str, ...]


_VARIANTS = {
    "msd": _Variant("MSD_musicnn", MSD_LABELS),
    "mtt": _Variant("MTT_musicnn", MTT_LABELS),
}


def build_musicnn_models(
    dest_dir: Path, *, variants: Sequence[str] = DEFAULT_VARIANTS, force: bool = False
) -> list[Path]:
    """Write `musicnn_<variant>.onnx` into `dest_dir` for each variant.

    Skips files that already hold a current model unless `force`. Returns the
    model paths in `variants` order. Raises ModelError if a checkpoint is
    missing or damaged.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for variant in variants:
        path = musicnn_model_path(dest_dir, variant)
        if force or not _is_current_model(path, variant):
            _write_atomically(_convert_checkpoint(variant), path)
        paths.append(path)
    return paths


def models_present(dest_dir: Path, *, variants: Sequence[str] = DEFAULT_VARIANTS) -> bool:
    """True when every variant's model in `dest_dir` exists and is current."""
    return all(_is_current_model(musicnn_model_path(Path(dest_dir), variant), variant) for variant in variants)


def musicnn_model_path(dest_dir: Path, variant: str) -> Path:
    """Where `build_musicnn_models` puts a variant's model."""
    _variant(variant)
    return Path(dest_dir) / f"musicnn_{variant}.onnx"


def musicnn_checkpoint_dir(variant: str) -> Path:
    """The variant's checkpoint directory inside the installed musicnn package."""
    spec = importlib.util.find_spec("musicnn")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the musicnn package (with its checkpoints) is not installed")
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    return package_dir / _variant(variant).checkpoint_dir


def _convert_checkpoint(variant: str) -> onnx.ModelProto:
    """Read a variant's checkpoint and return its ONNX model with metadata."""
    checkpoint_dir = musicnn_checkpoint_dir(variant)
    # Only model variables; the Adam slots are two thirds of the file.
    names = [
        name
        for name in read_bundle_index(checkpoint_dir / ".index").entries
        if not name.endswith(("/Adam", "/Adam_1")) and not name.endswith("_power")
    ]
    weights = read_tensor_bundle(checkpoint_dir, names=names)
    model = build_musicnn_graph(weights, name=f"musicnn_{variant}")
    onnx.helper.set_model_props(
        model,
        {
            VARIANT_METADATA_KEY: variant,
            FORMAT_METADATA_KEY: GRAPH_FORMAT_VERSION,
            LABELS_METADATA_KEY: json.dumps(list(_variant(variant).labels)),
        },
    )
    return model


def _is_current_model(path: Path, variant: str) -> bool:
    """Whether `path` holds a loadable model of this variant and graph version."""
    if not path.is_file():
        return False
    try:
        model = onnx.load(path)
    except (OSError, DecodeError, ValueError):
        return False
    props = {prop.key: prop.value for prop in model.metadata_props}
    inputs = [value.name for value in model.graph.input]
    outputs = {value.name for value in model.graph.output}
    return (
        props.get(VARIANT_METADATA_KEY) == variant
        and props.get(FORMAT_METADATA_KEY) == GRAPH_FORMAT_VERSION
        and inputs == [INPUT_NAME]
        and {EMBEDDING_OUTPUT, TAGS_OUTPUT} <= outputs
    )


def _write_atomically(model: onnx.ModelProto, path: Path) -> None:
    """Write to a temporary file beside `path`, flush to disk, then rename."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(model.SerializeToString())
            tmp.flush()
            os.fsync(tmp.fileno())
        # mkstemp creates 0600; the worker and web processes may be other users.
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _variant(variant: str) -> _Variant:
    if variant not in _VARIANTS:
        raise ValueError(f"unknown musicnn variant {variant!r}; known: {sorted(_VARIANTS)}")
    return _VARIANTS[variant]
