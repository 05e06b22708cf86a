"""Run musicnn ONNX models on mel patches: ours, or a user's existing files.

Three layouts are accepted:

- our `musicnn_<variant>.onnx` (input `mel`, outputs `embedding`, `tags`);
- a single Essentia-style file (`model/Placeholder` -> `model/dense/BiasAdd`
  and `model/Sigmoid`);
- AudioMuse-AI's pair: an embedding model (patches -> 200-d embedding) plus a
  prediction model fed with that embedding (e.g.
  `serving_default_model_Placeholder` -> `PartitionedCall`).

Tensors are found by known names first, then by shape ([*, 187, 96] input,
[*, 200] embedding, [*, 50] tags). The embedding is the first dense layer
before its ReLU, which is what Essentia's files call `model/dense/BiasAdd`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from analysis.audio.errors import ModelError
from analysis.audio.musicnn_graph import EMBEDDING_SIZE, N_MELS, N_TAGS, PATCH_FRAMES

# ONNX Runtime parallelises inside each convolution, so on CPU a larger batch
# is no faster (measured on 2 cores: 15-17 ms per patch for batches of 1 to
# 16), while its activations cost ~38 MB per patch per model at peak.
DEFAULT_BATCH_SIZE = 1


@dataclass(frozen=True)
class TensorRole:
    """How to recognise one model input or output: names first, then shape."""

    description: str
    names: tuple[str, ...]
    shape: tuple[int, ...]  # the dimensions after the batch dimension


PATCH_INPUT = TensorRole(
    "mel patch input",
    (
        "mel",
        "model/Placeholder",
        "model/Placeholder:0",
        "serving_default_model_Placeholder",
        "serving_default_model_Placeholder:0",
    ),
    (PATCH_FRAMES, N_MELS),
)
EMBEDDING_OUTPUT = TensorRole(
    "embedding output",
    ("embedding", "model/dense/BiasAdd", "model/dense/BiasAdd:0", "embeddings"),
    (EMBEDDING_SIZE,),
)
TAGS_OUTPUT = TensorRole(
    "tags output",
    (
        "tags",
        "model/Sigmoid",
        "model/Sigmoid:0",
        "PartitionedCall",
        "PartitionedCall:0",
        "StatefulPartitionedCall",
        "StatefulPartitionedCall:0",
    ),
    (N_TAGS,),
)
# The prediction model of a two-file setup: its input is the embedding.
EMBEDDING_INPUT = TensorRole(
    "embedding input",
    (
        "embedding",
        "embeddings",
        "serving_default_model_Placeholder",
        "serving_default_model_Placeholder:0",
        "model/Placeholder",
        "model/Placeholder:0",
    ),
    (EMBEDDING_SIZE,),
)


@dataclass(frozen=True)
class _Stage:
    """One session, its input and the outputs we fetch from it."""

    session: ort.InferenceSession
    input_name: str
    output_names: list[str]
    fixed_batch: int | None  # some exports only accept one batch size

    def run(self, inputs: np.ndarray, *, batch_size: int) -> list[np.ndarray]:
        """Run `inputs` [n, ...] in batches; return each output as [n, ...]."""
        step = self.fixed_batch or batch_size
        chunks: list[list[np.ndarray]] = [[] for _ in self.output_names]
        for start in range(0, len(inputs), step):
            batch = inputs[start : start + step]
            count = len(batch)
            if self.fixed_batch and count < self.fixed_batch:
                padding = np.zeros((self.fixed_batch - count, *batch.shape[1:]), batch.dtype)
                batch = np.concatenate([batch, padding])
            try:
                outputs = self.session.run(self.output_names, {self.input_name: batch})
            except Exception as exc:  # ORT errors share no public base class
                raise ModelError(f"model inference failed: {exc}") from exc
            for chunk, output in zip(chunks, outputs, strict=True):
                chunk.append(np.asarray(output, dtype=np.float32)[:count])
        return [np.concatenate(chunk) for chunk in chunks]


class MusicnnModel:
    """musicnn inference: mel patches -> (200-d embeddings, 50 tag probabilities).

    Open it once per worker process and reuse it: creating the ONNX Runtime
    session is the expensive part.
    """

    def __init__(
        self,
        model_path: Path | str,
        *,
        prediction_model_path: Path | str | None = None,
        threads: int | None = None,
    ):
        """`model_path` maps patches to the embedding (and tags, if it has them).

        With `prediction_model_path`, tags come from that model, fed the
        embedding, even when the first model has a tags output too.
        """
        threads = threads or usable_cpu_count()
        session = _open_session(Path(model_path), threads)
        patch_input = find_tensor(PATCH_INPUT, session.get_inputs(), model_path)
        outputs = [find_tensor(EMBEDDING_OUTPUT, session.get_outputs(), model_path)]
        self._prediction: _Stage | None = None
        if prediction_model_path is None:
            outputs.append(find_tensor(TAGS_OUTPUT, session.get_outputs(), model_path))
        else:
            self._prediction = _prediction_stage(
                _open_session(Path(prediction_model_path), threads), prediction_model_path
            )
        self._patches = _Stage(
            session,
            patch_input.name,
            [output.name for output in outputs],
            _fixed_batch(patch_input),
        )
        self.metadata: dict[str, str] = dict(session.get_modelmeta().custom_metadata_map)
        """The patch model's ONNX metadata_props (empty for most third-party files)."""

    def predict(self, patches: np.ndarray, *, batch_size: int = DEFAULT_BATCH_SIZE) -> tuple[np.ndarray, np.ndarray]:
        """Run the network on log-mel patches.

        patches: float32 [n, 187, 96] (time x mel), as cut by the preprocessing.
        Returns embeddings float32 [n, 200] and tags float32 [n, 50].
        """
        patches = np.ascontiguousarray(patches, dtype=np.float32)
        if patches.ndim != 3 or patches.shape[1:] != (PATCH_FRAMES, N_MELS):
            raise ValueError(f"patches must be [n, 187, 96], got {patches.shape}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        count = len(patches)
        if count == 0:
            return np.zeros((0, EMBEDDING_SIZE), np.float32), np.zeros((0, N_TAGS), np.float32)
        outputs = self._patches.run(patches, batch_size=batch_size)
        embeddings = _checked(outputs[0], (count, EMBEDDING_SIZE), "embedding")
        if self._prediction is None:
            tags = outputs[1]
        else:
            (tags,) = self._prediction.run(embeddings, batch_size=batch_size)
        return embeddings, _checked(tags, (count, N_TAGS), "tags")


def usable_cpu_count() -> int:
    """CPUs this process may run on (respects taskset / cgroup cpusets)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def find_tensor(role: TensorRole, candidates: Sequence[ort.NodeArg], model_path: Path | str) -> ort.NodeArg:
    """Pick the input/output playing `role`: a known name with a compatible
    shape, else the only candidate whose shape matches exactly.

    Raises ModelError listing the model's actual tensors when neither works.
    """
    by_name = {candidate.name: candidate for candidate in candidates}
    for name in role.names:
        candidate = by_name.get(name)
        if candidate is not None and _shape_compatible(candidate.shape, role.shape):
            return candidate
    by_shape = [c for c in candidates if _shape_matches(c.shape, role.shape)]
    if len(by_shape) == 1:
        return by_shape[0]
    found = ", ".join(f"{c.name} {c.shape}" for c in candidates) or "none"
    raise ModelError(
        f"{model_path}: no unambiguous {role.description} [batch, "
        f"{', '.join(map(str, role.shape))}] (known names: {', '.join(role.names)}); "
        f"the model has: {found}"
    )


def _prediction_stage(session: ort.InferenceSession, model_path: Path | str) -> _Stage:
    """The tags stage of a two-file setup: embedding input -> tags output."""
    model_input = find_tensor(EMBEDDING_INPUT, session.get_inputs(), model_path)
    tags = find_tensor(TAGS_OUTPUT, session.get_outputs(), model_path)
    return _Stage(session, model_input.name, [tags.name], _fixed_batch(model_input))


def _open_session(path: Path, threads: int) -> ort.InferenceSession:
    """A CPU session with `threads` intra-op threads and full graph optimisation."""
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    # Nodes run one after another; parallelism comes from inside each op.
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Idle pool threads sleep instead of spinning: workers share their cores
    # with other worker processes, and on 2 busy cores spinning measured
    # 10-25% slower per patch and burnt 20% more CPU. The convolutions take
    # milliseconds each, so waking a sleeping thread costs little (~7% on an
    # idle machine).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: third-party files warn a lot
    try:
        session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # ORT errors share no public base class
        raise ModelError(f"cannot load model {path}: {exc}") from exc
    for model_input in session.get_inputs():
        if model_input.type != "tensor(float)":
            raise ModelError(f"{path}: input {model_input.name} is {model_input.type}")
    return session


def _shape_compatible(shape: Sequence, expected: tuple[int, ...]) -> bool:
    """Right rank, and every known non-batch dimension equals `expected`."""
    if shape is None or len(shape) != len(expected) + 1:
        return False
    return all(not isinstance(dim, int) or dim == want for dim, want in zip(shape[1:], expected, strict=True))


def _shape_matches(shape: Sequence, expected: tuple[int, ...]) -> bool:
    """Right rank, and every non-batch dimension is known and equals `expected`."""
    return _shape_compatible(shape, expected) and all(isinstance(dim, int) for dim in shape[1:])


def _fixed_batch(model_input: ort.NodeArg) -> int | None:
    """The batch size a model insists on, or None when it is dynamic."""
    dim = model_input.shape[0] if model_input.shape else None
    return dim if isinstance(dim, int) and dim > 0 else None


def _checked(array: np.ndarray, shape: tuple[int, int], what: str) -> np.ndarray:
    if array.shape != shape:
        raise ModelError(f"model returned {what} of shape {array.shape}, expected {shape}")
    return array
