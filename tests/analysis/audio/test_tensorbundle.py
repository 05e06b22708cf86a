"""The TensorFlow-free checkpoint reader, on musicnn's real checkpoints."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from analysis.audio.errors import ModelError
from analysis.audio.model_build import musicnn_checkpoint_dir
from analysis.audio.tensorbundle import crc32c, read_bundle_index, read_tensor_bundle

DATA_FILE = ".data-00000-of-00001"


def _listed_variables(path: Path) -> dict[str, tuple[int, ...]]:
    """name -> shape from a `tf.train.list_variables` dump (tab-separated)."""
    variables = {}
    for line in path.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        name, shape, dtype, *_ = line.split("\t")
        assert dtype == "float32"
        dims = shape.strip("[]")
        variables[name] = tuple(int(dim) for dim in dims.split(",")) if dims else ()
    return variables


@pytest.fixture
def checkpoint_copy(tmp_path: Path) -> Path:
    """A private copy of the MSD checkpoint that a test may damage."""
    source = musicnn_checkpoint_dir("msd")
    for name in (".index", DATA_FILE):
        shutil.copyfile(source / name, tmp_path / name)
    return tmp_path


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("variant", ["msd", "mtt"])
def test_reader_lists_the_variables_tensorflow_lists(reference_dir, variant):
    expected = _listed_variables(reference_dir / "musicnn" / f"{variant}_variables.txt")
    tensors = read_tensor_bundle(musicnn_checkpoint_dir(variant))
    assert {name: array.shape for name, array in tensors.items()} == expected
    assert all(array.dtype == np.float32 for array in tensors.values())


def test_reader_returns_finite_distinct_weights():
    msd = read_tensor_bundle(musicnn_checkpoint_dir("msd"), names=["dense_1/kernel"])
    mtt = read_tensor_bundle(musicnn_checkpoint_dir("mtt"), names=["dense_1/kernel"])
    assert list(msd) == ["dense_1/kernel"]
    assert np.isfinite(msd["dense_1/kernel"]).all()
    assert not np.array_equal(msd["dense_1/kernel"], mtt["dense_1/kernel"])


def test_reader_rejects_unknown_tensor_name():
    with pytest.raises(ModelError, match="no tensor"):
        read_tensor_bundle(musicnn_checkpoint_dir("msd"), names=["conv2d/kernel", "nope"])


@pytest.mark.parametrize(
    "damage",
    ["empty", "truncated", "bad_magic", "flipped_block_byte", "flipped_footer_handle"],
)
def test_corrupt_index_raises_model_error(checkpoint_copy, damage):
    index = checkpoint_copy / ".index"
    size = index.stat().st_size
    if damage == "empty":
        index.write_bytes(b"")
    elif damage == "truncated":
        index.write_bytes(index.read_bytes()[: size // 2])
    elif damage == "bad_magic":
        _flip_byte(index, size - 1)
    elif damage == "flipped_block_byte":
        _flip_byte(index, 40)  # inside the first entry of the first data block
    else:
        # The footer starts with the metaindex handle (3 varint bytes in this
        # file), then the index block handle, which this byte shifts.
        _flip_byte(index, size - 48 + 3)
    with pytest.raises(ModelError, match="checkpoint index"):
        read_tensor_bundle(checkpoint_copy)


def test_corrupt_data_raises_model_error(checkpoint_copy):
    entry = read_bundle_index(checkpoint_copy / ".index").entries["conv2d/kernel"]
    _flip_byte(checkpoint_copy / DATA_FILE, entry.offset + 100)
    read_tensor_bundle(checkpoint_copy, names=["dense/kernel"])  # untouched tensor
    with pytest.raises(ModelError, match="checksum mismatch in data of tensor 'conv2d/kernel'"):
        read_tensor_bundle(checkpoint_copy)


def test_truncated_data_raises_model_error(checkpoint_copy):
    data = checkpoint_copy / DATA_FILE
    data.write_bytes(data.read_bytes()[:1000])
    with pytest.raises(ModelError, match="bytes"):
        read_tensor_bundle(checkpoint_copy)


def test_missing_files_raise_model_error(tmp_path):
    with pytest.raises(ModelError, match="cannot read checkpoint index"):
        read_tensor_bundle(tmp_path)
    shutil.copyfile(musicnn_checkpoint_dir("msd") / ".index", tmp_path / ".index")
    with pytest.raises(ModelError, match="cannot read checkpoint data"):
        read_tensor_bundle(tmp_path)


def _crc32c_bitwise(data: bytes) -> int:
    """Textbook bit-at-a-time CRC-32C, independent of the reader's tables."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def test_crc32c_known_answer():
    assert crc32c(b"123456789") == 0xE3069283  # the standard check value
    assert crc32c(b"") == 0


@pytest.mark.parametrize("size", [4, 5, 4095, 4096, 10_007])
def test_crc32c_matches_bitwise_reference(size):
    data = os.urandom(size)
    assert crc32c(data) == _crc32c_bitwise(data)
