"""MusicnnModel finds inputs and outputs of third-party ONNX files.

The tiny stand-in networks built here have the shapes of the real ones:
mel [N, 187, 96] -> mean over time -> dense -> embedding [N, 200] ->
dense -> sigmoid -> tags [N, 50], so every answer can be checked in numpy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from analysis.audio.errors import ModelError
from analysis.audio.inference import MusicnnModel

RNG = np.random.default_rng(7)
EMBEDDING_KERNEL = RNG.standard_normal((96, 200)).astype(np.float32)
TAGS_KERNEL = (RNG.standard_normal((200, 50)) / 10).astype(np.float32)
PATCHES = RNG.standard_normal((7, 187, 96)).astype(np.float32)


def _expected_embedding(patches: np.ndarray) -> np.ndarray:
    return patches.mean(axis=1) @ EMBEDDING_KERNEL


def _expected_tags(embedding: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(embedding @ TAGS_KERNEL)))


def _save(path: Path, nodes, inputs, outputs, initializers) -> Path:
    graph = helper.make_graph(nodes, "stand_in", inputs, outputs, initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def _float(name: str, shape: list) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def _patch_model(path: Path, input_name: str, embedding_name: str, tags_name: str | None, *, batch="N") -> Path:
    """mel -> embedding (and tags when `tags_name` is given), like Essentia's file."""
    nodes = [
        helper.make_node("ReduceMean", [input_name], ["pooled"], axes=[1], keepdims=0),
        helper.make_node("MatMul", ["pooled", "embedding_kernel"], [embedding_name]),
    ]
    outputs = [_float(embedding_name, [batch, 200])]
    initializers = [numpy_helper.from_array(EMBEDDING_KERNEL, "embedding_kernel")]
    if tags_name is not None:
        nodes += [
            helper.make_node("MatMul", [embedding_name, "tags_kernel"], ["logits"]),
            helper.make_node("Sigmoid", ["logits"], [tags_name]),
        ]
        outputs.append(_float(tags_name, [batch, 50]))
        initializers.append(numpy_helper.from_array(TAGS_KERNEL, "tags_kernel"))
    return _save(path, nodes, [_float(input_name, [batch, 187, 96])], outputs, initializers)


def _prediction_model(
    path: Path, input_name: str, tags_name: str, *, batch="N", kernel: np.ndarray = TAGS_KERNEL
) -> Path:
    """embedding -> tags, like AudioMuse-AI's separate prediction model."""
    nodes = [
        helper.make_node("MatMul", [input_name, "tags_kernel"], ["logits"]),
        helper.make_node("Sigmoid", ["logits"], [tags_name]),
    ]
    return _save(
        path,
        nodes,
        [_float(input_name, [batch, 200])],
        [_float(tags_name, [batch, 50])],
        [numpy_helper.from_array(kernel, "tags_kernel")],
    )


def _assert_predicts_stand_in(model: MusicnnModel, *, batch_size: int = 3) -> None:
    embeddings, tags = model.predict(PATCHES, batch_size=batch_size)
    np.testing.assert_allclose(embeddings, _expected_embedding(PATCHES), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(tags, _expected_tags(embeddings), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("suffix", ["", ":0"])
def test_essentia_single_file_names(tmp_path, suffix):
    path = _patch_model(
        tmp_path / "msd-musicnn-1.onnx",
        f"model/Placeholder{suffix}",
        f"model/dense/BiasAdd{suffix}",
        f"model/Sigmoid{suffix}",
    )
    _assert_predicts_stand_in(MusicnnModel(path, threads=1))


def test_audiomuse_embedding_and_prediction_files(tmp_path):
    embedding_path = _patch_model(tmp_path / "msd-musicnn-1.onnx", "model/Placeholder", "model/dense/BiasAdd", None)
    prediction_path = _prediction_model(
        tmp_path / "msd-msd-musicnn-1.onnx", "serving_default_model_Placeholder:0", "PartitionedCall:0"
    )
    model = MusicnnModel(embedding_path, prediction_model_path=prediction_path, threads=1)
    _assert_predicts_stand_in(model)


def test_prediction_file_wins_over_tags_in_embedding_file(tmp_path):
    """An explicitly configured prediction model is used even if not needed."""
    embedding_path = _patch_model(tmp_path / "full.onnx", "mel", "embedding", "tags")
    prediction_path = _prediction_model(
        tmp_path / "head.onnx", "model/Placeholder", "model/Sigmoid", kernel=-TAGS_KERNEL
    )
    model = MusicnnModel(embedding_path, prediction_model_path=prediction_path, threads=1)
    embeddings, tags = model.predict(PATCHES)
    np.testing.assert_allclose(tags, 1 - _expected_tags(embeddings), rtol=1e-5, atol=1e-6)


def test_unknown_names_fall_back_to_shapes(tmp_path):
    path = _patch_model(tmp_path / "renamed.onnx", "input_1", "features", "activation")
    _assert_predicts_stand_in(MusicnnModel(path, threads=1))


def test_fixed_batch_model_is_fed_padded_batches(tmp_path):
    path = _patch_model(tmp_path / "fixed.onnx", "x", "e", "t", batch=4)
    _assert_predicts_stand_in(MusicnnModel(path, threads=1), batch_size=16)


def test_no_matching_output_lists_actual_names(tmp_path):
    path = _patch_model(tmp_path / "odd.onnx", "model/Placeholder", "model/dense/BiasAdd", None)
    with pytest.raises(ModelError, match=r"tags output.*model/dense/BiasAdd") as raised:
        MusicnnModel(path, threads=1)
    assert str(path) in str(raised.value)


def test_no_matching_input_lists_actual_names(tmp_path):
    path = _prediction_model(tmp_path / "head_only.onnx", "embeddings_in", "PartitionedCall")
    with pytest.raises(ModelError, match=r"mel patch input.*embeddings_in"):
        MusicnnModel(path, threads=1)


def test_two_unnamed_candidates_are_ambiguous(tmp_path):
    """Two [N, 200] outputs with unknown names: refuse to guess."""
    nodes = [
        helper.make_node("ReduceMean", ["x"], ["pooled"], axes=[1], keepdims=0),
        helper.make_node("MatMul", ["pooled", "k"], ["a"]),
        helper.make_node("Relu", ["a"], ["b"]),
        helper.make_node("MatMul", ["b", "t"], ["c"]),
    ]
    path = _save(
        tmp_path / "ambiguous.onnx",
        nodes,
        [_float("x", ["N", 187, 96])],
        [_float("a", ["N", 200]), _float("b", ["N", 200]), _float("c", ["N", 50])],
        [numpy_helper.from_array(EMBEDDING_KERNEL, "k"), numpy_helper.from_array(TAGS_KERNEL, "t")],
    )
    with pytest.raises(ModelError, match="no unambiguous embedding output"):
        MusicnnModel(path, threads=1)


def test_wrongly_shaped_name_match_is_not_used(tmp_path):
    """A known name on a tensor of the wrong shape must not be picked."""
    path = _prediction_model(tmp_path / "head.onnx", "model/Placeholder", "model/Sigmoid")
    with pytest.raises(ModelError, match="mel patch input"):
        MusicnnModel(path, threads=1)


def test_missing_and_unreadable_files_raise_model_error(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        MusicnnModel(tmp_path / "absent.onnx")
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot load model"):
        MusicnnModel(garbage)
