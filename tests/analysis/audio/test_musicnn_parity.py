"""The converted ONNX models against outputs of the original TensorFlow graph.

Tolerances from the reference README: two correct float32 implementations
differ by about 1e-6 on tags and 2e-5 on the 200-d layers; real conversion
bugs (BN epsilon, SAME padding side, flatten order) give 0.1 or more.
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

from analysis.audio.inference import MusicnnModel
from analysis.audio.model_build import musicnn_checkpoint_dir
from analysis.audio.musicnn_graph import build_musicnn_graph
from analysis.audio.tensorbundle import read_tensor_bundle

from .reference import CLIPS, VARIANTS

TAG_ATOL = 1e-4
LAYER_TOLERANCE = {"rtol": 1e-4, "atol": 1e-4}


def _run_all_outputs(session: ort.InferenceSession, mel: np.ndarray) -> dict[str, np.ndarray]:
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(names, {"mel": mel}), strict=True))


def _assert_matches_reference(outputs: dict[str, np.ndarray], reference: dict[str, np.ndarray], variant: str) -> None:
    np.testing.assert_allclose(outputs["tags"], reference[f"{variant}_taggram"], rtol=0, atol=TAG_ATOL)
    # The reference's dense_prebn is after the ReLU; our embedding is before it.
    np.testing.assert_allclose(
        np.maximum(outputs["embedding"], 0),
        reference[f"{variant}_dense_prebn"],
        **LAYER_TOLERANCE,
    )
    for key in ("logits", "penultimate", "mean_pool", "max_pool"):
        np.testing.assert_allclose(outputs[key], reference[f"{variant}_{key}"], **LAYER_TOLERANCE, err_msg=key)


@pytest.mark.parametrize("clip", CLIPS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_converted_model_matches_tensorflow(musicnn_sessions, references, variant, clip):
    reference = references[clip]
    outputs = _run_all_outputs(musicnn_sessions[variant], reference["mel_patches"])
    _assert_matches_reference(outputs, reference, variant)


def test_channel_padding_does_not_change_results(references):
    """The speed-only zero filters are exact: the unpadded graph agrees too."""
    weights = read_tensor_bundle(musicnn_checkpoint_dir("msd"))
    model = build_musicnn_graph(weights, channel_multiple=1)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    reference = references["pink_noise"]
    _assert_matches_reference(_run_all_outputs(session, reference["mel_patches"]), reference, "msd")


def test_musicnn_model_predicts_in_uneven_batches(musicnn_model_paths, references):
    reference = references["minuet"]  # 16 patches: batches of 5, 5, 5, 1
    model = MusicnnModel(musicnn_model_paths["mtt"], threads=2)
    embeddings, tags = model.predict(reference["mel_patches"], batch_size=5)
    assert embeddings.shape == (16, 200) and embeddings.dtype == np.float32
    assert tags.shape == (16, 50) and tags.dtype == np.float32
    np.testing.assert_allclose(tags, reference["mtt_taggram"], rtol=0, atol=TAG_ATOL)
    np.testing.assert_allclose(np.maximum(embeddings, 0), reference["mtt_dense_prebn"], **LAYER_TOLERANCE)


def test_musicnn_model_accepts_no_patches(musicnn_model_paths):
    model = MusicnnModel(musicnn_model_paths["msd"], threads=1)
    embeddings, tags = model.predict(np.zeros((0, 187, 96), np.float32))
    assert embeddings.shape == (0, 200) and tags.shape == (0, 50)


def test_musicnn_model_rejects_wrong_patch_shape(musicnn_model_paths):
    model = MusicnnModel(musicnn_model_paths["msd"], threads=1)
    with pytest.raises(ValueError, match="187, 96"):
        model.predict(np.zeros((2, 96, 187), np.float32))
