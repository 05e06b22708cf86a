"""Build the ONNX graph of musicnn (Pons & Serra) from its TensorFlow weights.

The graph reproduces musicnn 0.1.0's `build_musicnn` in inference mode:

    mel [B, 187, 96] -> input BN -> front end (timbral 7x38, 7x67; temporal
    128x1, 64x1, 32x1; each conv -> ReLU -> BN -> max over frequency)
    -> mid end (3 convs over 7 frames, 64 filters, residual)
    -> back end (max and mean over time, interleaved, BN, dense 200, ReLU,
    BN, dense 50, sigmoid).

Tensors run in NCHW with H = time and W = mel bins (front end) or W = 1
(after the frequency max, where channels are the features). Every
BatchNormalization uses musicnn's epsilon of 1e-3, not ONNX's default 1e-5.

Speed: ONNX Runtime keeps convolutions and max pools in its fast blocked
(NCHWc) layout only when channel counts are multiples of its block size: 8
with AVX2, 16 with AVX-512. So the 204- and 51-filter convolutions get zero
filters appended (to 208 and 64, which suits both). Those extra channels stay
exactly 0 (zero weights and bias, BN with gamma = beta = 0), the mid-end
convolution gives them zero weights and the pooled features drop them: the
function computed is the original one, only the float summation order differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from analysis.audio.errors import ModelError

PATCH_FRAMES = 187  # 3 s at 16 kHz with hop 256
N_MELS = 96
EMBEDDING_SIZE = 200
N_TAGS = 50
MIDEND_FEATURES = 753  # 561 front end + 3 x 64 mid end

INPUT_NAME = "mel"
EMBEDDING_OUTPUT = "embedding"  # dense layer before its ReLU (TF model/dense/BiasAdd)
TAGS_OUTPUT = "tags"  # sigmoid probabilities (TF model/Sigmoid)
# Extra outputs for parity checks and feature extraction. All lie on the path
# to `tags`, so exposing them costs only a copy.
LOGITS_OUTPUT = "logits"  # TF model/dense_1/BiasAdd
PENULTIMATE_OUTPUT = "penultimate"  # BN10(ReLU(embedding)), musicnn's 'penultimate'
MEAN_POOL_OUTPUT = "mean_pool"  # mean over time of the 753 mid-end features
MAX_POOL_OUTPUT = "max_pool"  # max over time of the same

OPSET = 17
IR_VERSION = 8  # the IR version of opset 17, so older runtimes load the file too
BN_EPSILON = 1e-3


@dataclass(frozen=True)
class _FrontendBranch:
    """One front-end convolution and the BatchNorm after it."""

    conv: str  # checkpoint variable scope of the convolution
    bn: str  # and of the BatchNorm after it
    kernel_size: tuple[int, int]  # (frames, mel bins)
    filters: int
    time_pads: tuple[int, int]  # zero frames (before, after)


# The timbral convs see an explicit 3/3 zero pad; the temporal ones are TF
# 'SAME' on the unpadded input, which puts the odd pad at the end (63/64, ...).
_FRONTEND_BRANCHES = (
    _FrontendBranch("conv2d", "batch_normalization_1", (7, 38), 204, (3, 3)),
    _FrontendBranch("conv2d_1", "batch_normalization_2", (7, 67), 204, (3, 3)),
    _FrontendBranch("conv2d_2", "batch_normalization_3", (128, 1), 51, (63, 64)),
    _FrontendBranch("conv2d_3", "batch_normalization_4", (64, 1), 51, (31, 32)),
    _FrontendBranch("conv2d_4", "batch_normalization_5", (32, 1), 51, (15, 16)),
)
_MIDEND_LAYERS = (
    ("conv2d_5", "batch_normalization_6"),
    ("conv2d_6", "batch_normalization_7"),
    ("conv2d_7", "batch_normalization_8"),
)
_MIDEND_FILTERS = 64
_MIDEND_KERNEL_FRAMES = 7


@dataclass(frozen=True)
class _Features:
    """A [B, width, 187, 1] tensor whose real channels are `real` (the rest pad)."""

    name: str
    width: int
    real: np.ndarray


class _GraphBuilder:
    """Collects nodes and initializers and hands out unique tensor names."""

    def __init__(self, weights: dict[str, np.ndarray]):
        self.weights = weights
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._counter = 0

    def constant(self, name: str, array: np.ndarray) -> str:
        """Add an initializer and return its name."""
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: Sequence[str], *, output: str = "", **attrs) -> str:
        """Append one node and return the name of its single output."""
        if not output:
            self._counter += 1
            output = f"{op}_{self._counter}"
        self.nodes.append(helper.make_node(op, list(inputs), [output], **attrs))
        return output

    def variable(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A checkpoint variable as float32, checked against its expected shape."""
        if name not in self.weights:
            raise ModelError(f"musicnn weights lack variable {name!r}")
        array = np.asarray(self.weights[name], dtype=np.float32)
        if array.shape != shape:
            raise ModelError(f"variable {name!r} has shape {array.shape}, not {shape}")
        return array


def build_musicnn_graph(
    weights: dict[str, np.ndarray], *, name: str = "musicnn", channel_multiple: int = 16
) -> onnx.ModelProto:
    """Return the checked ONNX model for one musicnn checkpoint.

    `weights` maps TF variable names (`conv2d/kernel`, ...) to arrays in TF
    layout. Input `mel` float32 [batch, 187, 96]; outputs `embedding` and
    `penultimate` [batch, 200], `tags` and `logits` [batch, 50], `mean_pool`
    and `max_pool` [batch, 753]. `channel_multiple=1` turns off the speed-only
    zero padding of filter counts.
    """
    if channel_multiple < 1:
        raise ValueError(f"channel_multiple must be positive, got {channel_multiple}")
    g = _GraphBuilder(weights)
    x = _input_batch_norm(g)
    branches = [_frontend_branch(g, x, branch, channel_multiple=channel_multiple) for branch in _FRONTEND_BRANCHES]
    midend = _midend(g, _concat(g, branches))
    _backend(g, midend)
    return _make_model(g, name)


def _input_batch_norm(g: _GraphBuilder) -> str:
    """mel [B, 187, 96] -> BN with scalar parameters -> [B, 1, 187, 96]."""
    axes = g.constant("unsqueeze_channel_axis", np.array([1], dtype=np.int64))
    x = g.node("Unsqueeze", [INPUT_NAME, axes])
    return _batch_norm(g, x, "batch_normalization", size=1, width=1)


def _frontend_branch(g: _GraphBuilder, x: str, branch: _FrontendBranch, *, channel_multiple: int) -> _Features:
    """[B, 1, 187, 96] -> conv -> ReLU -> BN -> max over mel -> [B, C, 187, 1]."""
    frames, bins = branch.kernel_size
    kernel = g.variable(f"{branch.conv}/kernel", (frames, bins, 1, branch.filters))
    bias = g.variable(f"{branch.conv}/bias", (branch.filters,))
    width = _round_up(branch.filters, channel_multiple)
    # TF HWIO (time, freq, in, out) -> ONNX OIHW (out, in, time, freq).
    onnx_kernel = _pad_axis0(kernel.transpose(3, 2, 0, 1), width)
    before, after = branch.time_pads
    y = _conv_relu_bn(
        g,
        x,
        conv=branch.conv,
        bn=branch.bn,
        kernel=onnx_kernel,
        bias=_pad_axis0(bias, width),
        size=branch.filters,
        pads=[before, 0, after, 0],
    )
    # No padding along frequency: one window covers every remaining mel bin.
    # MaxPool (not ReduceMax) keeps ONNX Runtime in its blocked layout.
    y = g.node("MaxPool", [y], kernel_shape=[1, N_MELS - bins + 1])
    return _Features(y, width, np.arange(branch.filters))


def _midend(g: _GraphBuilder, frontend: _Features) -> _Features:
    """Three convs over 7 frames and all channels of their input, 64 filters:
    cnn1 = f1(frontend), cnn2 = f2(cnn1) + cnn1, cnn3 = f3(cnn2) + cnn2.

    Returns the concatenation [frontend, cnn1, cnn2, cnn3] (753 real channels).
    """
    layers = [frontend]
    previous = frontend
    for index, (conv, bn) in enumerate(_MIDEND_LAYERS):
        in_features = len(previous.real)
        kernel = g.variable(f"{conv}/kernel", (_MIDEND_KERNEL_FRAMES, in_features, 1, _MIDEND_FILTERS))
        # TF (time, features, 1, out) -> ONNX (out, features, time, 1); the
        # padding channels of the input get zero weights.
        onnx_kernel = np.zeros((_MIDEND_FILTERS, previous.width, _MIDEND_KERNEL_FRAMES, 1), np.float32)
        onnx_kernel[:, previous.real] = kernel.transpose(3, 1, 0, 2)
        bias = g.variable(f"{conv}/bias", (_MIDEND_FILTERS,))
        pad = _MIDEND_KERNEL_FRAMES // 2
        y = _conv_relu_bn(
            g,
            previous.name,
            conv=conv,
            bn=bn,
            kernel=onnx_kernel,
            bias=bias,
            size=_MIDEND_FILTERS,
            pads=[pad, 0, pad, 0],
        )
        if index > 0:  # the first layer changes the width, so it has no shortcut
            y = g.node("Add", [y, previous.name])
        previous = _Features(y, _MIDEND_FILTERS, np.arange(_MIDEND_FILTERS))
        layers.append(previous)
    return _concat(g, layers)


def _backend(g: _GraphBuilder, midend: _Features) -> None:
    """Pool over time, then the dense layers; emits every graph output."""
    max_pool = _pool_over_time(g, midend, "GlobalMaxPool", MAX_POOL_OUTPUT)
    mean_pool = _pool_over_time(g, midend, "GlobalAveragePool", MEAN_POOL_OUTPUT)
    # musicnn stacks [max, mean] on a last axis and flattens, so the 1506
    # features alternate max_0, mean_0, max_1, mean_1, ...
    axes = g.constant("unsqueeze_last_axis", np.array([2], dtype=np.int64))
    stacked = g.node(
        "Concat",
        [g.node("Unsqueeze", [max_pool, axes]), g.node("Unsqueeze", [mean_pool, axes])],
        axis=2,
    )
    flat = g.node("Flatten", [stacked], axis=1)
    n_pooled = 2 * MIDEND_FEATURES
    flat = _batch_norm(g, flat, "batch_normalization_9", size=n_pooled, width=n_pooled)
    _dense(g, flat, "dense", (n_pooled, EMBEDDING_SIZE), output=EMBEDDING_OUTPUT)
    relu = g.node("Relu", [EMBEDDING_OUTPUT])
    _batch_norm(g, relu, "batch_normalization_10", size=EMBEDDING_SIZE, width=EMBEDDING_SIZE, output=PENULTIMATE_OUTPUT)
    _dense(g, PENULTIMATE_OUTPUT, "dense_1", (EMBEDDING_SIZE, N_TAGS), output=LOGITS_OUTPUT)
    g.node("Sigmoid", [LOGITS_OUTPUT], output=TAGS_OUTPUT)


def _pool_over_time(g: _GraphBuilder, features: _Features, op: str, output: str) -> str:
    """[B, width, 187, 1] -> pool over frames -> [B, 753] without padding channels."""
    pooled = g.node(op, [features.name])
    if features.width == len(features.real):
        return g.node("Flatten", [pooled], output=output, axis=1)
    flat = g.node("Flatten", [pooled], axis=1)
    index = g.constant(f"{output}_channels", features.real.astype(np.int64))
    return g.node("Gather", [flat, index], output=output, axis=1)


def _concat(g: _GraphBuilder, parts: list[_Features]) -> _Features:
    """Concatenate along channels, tracking where the real channels land."""
    offsets = np.cumsum([0] + [part.width for part in parts[:-1]])
    real = np.concatenate([offset + part.real for offset, part in zip(offsets, parts, strict=True)])
    name = g.node("Concat", [part.name for part in parts], axis=1)
    return _Features(name, sum(part.width for part in parts), real)


def _conv_relu_bn(
    g: _GraphBuilder, x: str, *, conv: str, bn: str, kernel: np.ndarray, bias: np.ndarray, size: int, pads: list[int]
) -> str:
    """Conv (ONNX OIHW kernel, zero pads [top, left, bottom, right]) -> ReLU -> BN."""
    y = g.node(
        "Conv",
        [x, g.constant(f"{conv}/kernel", kernel), g.constant(f"{conv}/bias", bias)],
        kernel_shape=list(kernel.shape[2:]),
        pads=pads,
    )
    y = g.node("Relu", [y])
    return _batch_norm(g, y, bn, size=size, width=kernel.shape[0])


def _batch_norm(g: _GraphBuilder, x: str, bn: str, *, size: int, width: int, output: str = "") -> str:
    """Inference BatchNormalization (epsilon 1e-3) over axis 1.

    Channels beyond `size` (zero padding) get gamma = beta = mean = 0 and
    variance 1, so they stay exactly 0.
    """
    gamma = _pad_axis0(g.variable(f"{bn}/gamma", (size,)), width)
    beta = _pad_axis0(g.variable(f"{bn}/beta", (size,)), width)
    mean = _pad_axis0(g.variable(f"{bn}/moving_mean", (size,)), width)
    variance = _pad_axis0(g.variable(f"{bn}/moving_variance", (size,)), width, 1.0)
    params = [
        g.constant(f"{bn}/{part}", array)
        for part, array in (
            ("gamma", gamma),
            ("beta", beta),
            ("moving_mean", mean),
            ("moving_variance", variance),
        )
    ]
    return g.node("BatchNormalization", [x, *params], output=output, epsilon=BN_EPSILON)


def _dense(g: _GraphBuilder, x: str, layer: str, shape: tuple[int, int], *, output: str) -> str:
    """x [B, in] @ kernel [in, out] + bias [out] (TF dense layout is already (in, out))."""
    kernel = g.constant(f"{layer}/kernel", g.variable(f"{layer}/kernel", shape))
    bias = g.constant(f"{layer}/bias", g.variable(f"{layer}/bias", (shape[1],)))
    return g.node("Gemm", [x, kernel, bias], output=output)


def _make_model(g: _GraphBuilder, name: str) -> onnx.ModelProto:
    """Wrap the nodes in a model with named, batch-dynamic inputs and outputs."""
    batch = "batch"
    outputs = [
        (EMBEDDING_OUTPUT, EMBEDDING_SIZE),
        (TAGS_OUTPUT, N_TAGS),
        (LOGITS_OUTPUT, N_TAGS),
        (PENULTIMATE_OUTPUT, EMBEDDING_SIZE),
        (MEAN_POOL_OUTPUT, MIDEND_FEATURES),
        (MAX_POOL_OUTPUT, MIDEND_FEATURES),
    ]
    graph = helper.make_graph(
        g.nodes,
        name,
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, [batch, PATCH_FRAMES, N_MELS])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, [batch, size]) for out, size in outputs],
        initializer=g.initializers,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=IR_VERSION,
        producer_name="audiomuse",
    )
    onnx.checker.check_model(model, full_check=True)
    return model


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def _pad_axis0(array: np.ndarray, length: int, fill: float = 0.0) -> np.ndarray:
    """Extend `array` along axis 0 to `length` with `fill` (float32)."""
    padded = np.full((length, *array.shape[1:]), fill, dtype=np.float32)
    padded[: array.shape[0]] = array
    return padded
