"""Read TensorFlow V2 checkpoints ("tensor bundles") without TensorFlow.

A bundle is a `<prefix>.index` file and one or more `<prefix>.data-NNNNN-of-NNNNN`
shards. The index is an SSTable (the LevelDB table format TensorFlow vendors):
sorted keys in blocks, each block followed by a 5-byte trailer (compression
type, masked CRC32C), an index block pointing at the data blocks and a 48-byte
footer. Under the empty key sits a `BundleHeaderProto`; every other key is a
tensor name whose value is a `BundleEntryProto` saying where that tensor's raw
little-endian bytes are in which shard, with their CRC32C.

Only what musicnn's checkpoints need is supported: uncompressed blocks, unsliced
tensors and plain numeric dtypes. Everything else raises `ModelError`, as does
any checksum mismatch, so a damaged file never turns into silently wrong weights.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from math import isqrt, prod
from pathlib import Path

import numpy as np

from analysis.audio.errors import ModelError

# SSTable layout constants (tensorflow/core/lib/io/format.h, table_builder.cc).
_FOOTER_LENGTH = 48
_TABLE_MAGIC = 0xDB4775248B80FB57
_BLOCK_TRAILER_LENGTH = 5
_NO_COMPRESSION = 0

# TensorFlow DataType enum values we can map onto numpy (types.proto).
_NUMPY_DTYPES = {
    1: np.dtype("<f4"),  # DT_FLOAT
    2: np.dtype("<f8"),  # DT_DOUBLE
    3: np.dtype("<i4"),  # DT_INT32
    9: np.dtype("<i8"),  # DT_INT64
    19: np.dtype("<f2"),  # DT_HALF
}

# Protobuf wire types.
_VARINT, _FIXED64, _LENGTH_DELIMITED, _FIXED32 = 0, 1, 2, 5


@dataclass(frozen=True)
class BundleEntry:
    """Where one tensor lives: `size` bytes at `offset` in shard `shard_id`."""

    name: str
    dtype: int
    shape: tuple[int, ...]
    shard_id: int
    offset: int
    size: int
    masked_crc32c: int
    sliced: bool


@dataclass(frozen=True)
class BundleIndex:
    """The parsed `.index` file: shard count and one entry per tensor name."""

    num_shards: int
    entries: dict[str, BundleEntry]


def read_tensor_bundle(
    checkpoint_dir: Path, *, basename: str = "", names: Iterable[str] | None = None
) -> dict[str, np.ndarray]:
    """Load tensors from the bundle `<checkpoint_dir>/<basename>.index`.

    musicnn's checkpoints have an empty basename (files `.index` and
    `.data-00000-of-00001`). `names` selects tensors (default: all). Arrays keep
    their stored dtype (float32 for musicnn) in native byte order, with the
    shapes stored in the checkpoint (TensorFlow layout, e.g. conv HWIO).
    """
    index = read_bundle_index(Path(checkpoint_dir) / f"{basename}.index")
    wanted = list(index.entries) if names is None else list(names)
    missing = [name for name in wanted if name not in index.entries]
    if missing:
        raise ModelError(f"checkpoint {checkpoint_dir} has no tensor(s) {missing}")
    tensors: dict[str, np.ndarray] = {}
    for shard_id in sorted({index.entries[name].shard_id for name in wanted}):
        shard_path = Path(checkpoint_dir) / _shard_filename(basename, shard_id, index.num_shards)
        shard_entries = [index.entries[n] for n in wanted if index.entries[n].shard_id == shard_id]
        tensors.update(_read_shard_tensors(shard_path, shard_entries))
    return tensors


def read_bundle_index(index_path: Path) -> BundleIndex:
    """Parse a bundle `.index` SSTable into its header and tensor entries."""
    try:
        table = Path(index_path).read_bytes()
    except OSError as exc:
        raise ModelError(f"cannot read checkpoint index {index_path}: {exc}") from exc
    try:
        return _parse_index(table)
    # Blocks are checksummed, but a file written by something else could still
    # hold a non-UTF-8 key or a field of the wrong wire type (bytes vs int).
    except (ModelError, UnicodeDecodeError, TypeError) as exc:
        raise ModelError(f"malformed checkpoint index {index_path}: {exc}") from exc


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli) of `data`, as used by LevelDB and TensorFlow."""
    if len(data) < 4096:
        return _crc32c_bytewise(data)
    return _crc32c_lanes(data)


def _parse_index(table: bytes) -> BundleIndex:
    """Walk the SSTable: footer -> index block -> data blocks -> entries."""
    num_shards: int | None = None
    entries: dict[str, BundleEntry] = {}
    index_block = _read_block(table, _footer_index_handle(table))
    for _, handle_bytes in _iter_block_entries(index_block):
        offset, pos = _read_varint(handle_bytes, 0)
        size, _ = _read_varint(handle_bytes, pos)
        for key, value in _iter_block_entries(_read_block(table, (offset, size))):
            if key == b"":
                num_shards = _parse_header(value)
            else:
                name = key.decode("utf-8")
                entries[name] = _parse_entry(name, value)
    if num_shards is None:
        raise ModelError("no bundle header (empty key) found")
    bad_shards = [e.name for e in entries.values() if e.shard_id >= num_shards]
    if bad_shards:
        raise ModelError(f"entries point past {num_shards} shard(s): {bad_shards}")
    return BundleIndex(num_shards=num_shards, entries=entries)


def _footer_index_handle(table: bytes) -> tuple[int, int]:
    """Return (offset, size) of the index block from the 48-byte footer."""
    if len(table) < _FOOTER_LENGTH:
        raise ModelError(f"file is {len(table)} bytes, shorter than a table footer")
    footer = table[-_FOOTER_LENGTH:]
    (magic,) = struct.unpack("<Q", footer[-8:])
    if magic != _TABLE_MAGIC:
        raise ModelError(f"bad table magic number {magic:#018x}")
    # The footer holds the metaindex handle first (unused: always empty here).
    _, pos = _read_varint(footer, 0)
    _, pos = _read_varint(footer, pos)
    offset, pos = _read_varint(footer, pos)
    size, _ = _read_varint(footer, pos)
    return offset, size


def _read_block(table: bytes, handle: tuple[int, int]) -> bytes:
    """Return a block's contents after checking its trailer (type and CRC)."""
    offset, size = handle
    end = offset + size
    if end + _BLOCK_TRAILER_LENGTH > len(table) - _FOOTER_LENGTH:
        raise ModelError(f"block at {offset} (+{size} bytes) runs past the table")
    contents = table[offset:end]
    compression = table[end]
    if compression != _NO_COMPRESSION:
        raise ModelError(f"block at {offset} is compressed (type {compression})")
    (stored_crc,) = struct.unpack("<I", table[end + 1 : end + 5])
    # The checksum covers the contents and the compression-type byte.
    if _unmask_crc(stored_crc) != crc32c(table[offset : end + 1]):
        raise ModelError(f"checksum mismatch in block at {offset}")
    return contents


def _iter_block_entries(block: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Yield (key, value) pairs of one block, undoing key prefix compression.

    Layout: entries, then uint32 restart offsets, then uint32 restart count.
    Each entry: varint shared, varint unshared, varint value_length,
    key[shared:] bytes, value bytes.
    """
    if len(block) < 4:
        raise ModelError("block too short for its restart count")
    (num_restarts,) = struct.unpack("<I", block[-4:])
    entries_end = len(block) - 4 - 4 * num_restarts
    if entries_end < 0:
        raise ModelError(f"block claims {num_restarts} restart points, too many")
    pos, key = 0, b""
    while pos < entries_end:
        shared, pos = _read_varint(block, pos)
        unshared, pos = _read_varint(block, pos)
        value_length, pos = _read_varint(block, pos)
        value_start = pos + unshared
        value_end = value_start + value_length
        if shared > len(key) or value_end > entries_end:
            raise ModelError(f"corrupt block entry at offset {pos}")
        key = key[:shared] + block[pos:value_start]
        yield key, block[value_start:value_end]
        pos = value_end


def _parse_header(value: bytes) -> int:
    """Check a BundleHeaderProto and return its shard count.

    Fields: 1 num_shards, 2 endianness (0 little, 1 big), 3 version.
    """
    num_shards, endianness = 1, 0
    for field, _, field_value in _iter_proto_fields(value):
        if field == 1:
            num_shards = field_value
        elif field == 2:
            endianness = field_value
    if endianness != 0:
        raise ModelError("big-endian checkpoints are not supported")
    if num_shards < 1:
        raise ModelError(f"bundle header claims {num_shards} shards")
    return num_shards


def _parse_entry(name: str, value: bytes) -> BundleEntry:
    """Decode a BundleEntryProto.

    Fields: 1 dtype, 2 shape (TensorShapeProto), 3 shard_id, 4 offset, 5 size,
    6 crc32c (fixed32, masked), 7 slices (only for partitioned variables).
    """
    fields = {"dtype": 0, "shard_id": 0, "offset": 0, "size": 0, "crc": 0}
    shape: tuple[int, ...] = ()
    sliced = False
    numbers = {1: "dtype", 3: "shard_id", 4: "offset", 5: "size", 6: "crc"}
    for field, _, field_value in _iter_proto_fields(value):
        if field in numbers:
            fields[numbers[field]] = field_value
        elif field == 2:
            shape = _parse_shape(field_value)
        elif field == 7:
            sliced = True
    return BundleEntry(
        name=name,
        dtype=fields["dtype"],
        shape=shape,
        shard_id=fields["shard_id"],
        offset=fields["offset"],
        size=fields["size"],
        masked_crc32c=fields["crc"],
        sliced=sliced,
    )


def _parse_shape(value: bytes) -> tuple[int, ...]:
    """Decode a TensorShapeProto: repeated dim (field 2) of {1: size, 2: name}."""
    dims = []
    for field, _, field_value in _iter_proto_fields(value):
        if field == 3 and field_value:
            raise ModelError("tensor of unknown rank in checkpoint")
        if field == 2:
            size = 0
            for dim_field, _, dim_value in _iter_proto_fields(field_value):
                if dim_field == 1:
                    size = dim_value
            dims.append(size)
    return tuple(dims)


def _iter_proto_fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """Yield (field_number, wire_type, value) of a serialised protobuf message.

    Varints and fixed-width fields come back as unsigned ints,
    length-delimited fields as bytes.
    """
    pos = 0
    while pos < len(buf):
        tag, pos = _read_varint(buf, pos)
        field, wire_type = tag >> 3, tag & 7
        if wire_type == _VARINT:
            value, pos = _read_varint(buf, pos)
        elif wire_type == _LENGTH_DELIMITED:
            length, pos = _read_varint(buf, pos)
            if pos + length > len(buf):
                raise ModelError("truncated protobuf field")
            value, pos = buf[pos : pos + length], pos + length
        elif wire_type in (_FIXED32, _FIXED64):
            width = 4 if wire_type == _FIXED32 else 8
            if pos + width > len(buf):
                raise ModelError("truncated protobuf field")
            value = int.from_bytes(buf[pos : pos + width], "little")
            pos += width
        else:
            raise ModelError(f"unsupported protobuf wire type {wire_type}")
        yield field, wire_type, value


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """Decode a base-128 varint at `pos`; return (value, position after it)."""
    result, shift = 0, 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ModelError("truncated or overlong varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _shard_filename(basename: str, shard_id: int, num_shards: int) -> str:
    return f"{basename}.data-{shard_id:05d}-of-{num_shards:05d}"


def _read_shard_tensors(shard_path: Path, entries: list[BundleEntry]) -> dict[str, np.ndarray]:
    """Read and checksum each entry's bytes from one data shard."""
    tensors = {}
    try:
        with open(shard_path, "rb") as shard:
            for entry in entries:
                shard.seek(entry.offset)
                tensors[entry.name] = _decode_tensor(entry, shard.read(entry.size))
    except OSError as exc:
        raise ModelError(f"cannot read checkpoint data {shard_path}: {exc}") from exc
    return tensors


def _decode_tensor(entry: BundleEntry, raw: bytes) -> np.ndarray:
    """Turn an entry's raw bytes into an array, refusing anything inconsistent."""
    if entry.sliced:
        raise ModelError(f"tensor {entry.name!r} is sliced (partitioned)")
    dtype = _NUMPY_DTYPES.get(entry.dtype)
    if dtype is None:
        raise ModelError(f"tensor {entry.name!r} has unsupported dtype {entry.dtype}")
    expected = prod(entry.shape) * dtype.itemsize
    if entry.size != expected or len(raw) != expected:
        raise ModelError(
            f"tensor {entry.name!r}: shape {entry.shape} needs {expected} bytes, "
            f"index says {entry.size}, data file holds {len(raw)}"
        )
    if _unmask_crc(entry.masked_crc32c) != crc32c(raw):
        raise ModelError(f"checksum mismatch in data of tensor {entry.name!r}")
    # astype copies into a writable, native-endian array we own.
    return np.frombuffer(raw, dtype=dtype).reshape(entry.shape).astype(dtype.newbyteorder("="))


# --- CRC32C -----------------------------------------------------------------
# The register update r -> T[(r ^ byte) & 0xff] ^ (r >> 8) is linear over
# GF(2), so the data can be cut into lanes that numpy advances in parallel, and
# the lane results merged afterwards with the "advance over m zero bytes"
# operator. That makes checksumming megabytes of weights take milliseconds
# instead of the seconds a Python byte loop needs.

_CRC32C_POLYNOMIAL = 0x82F63B78  # Castagnoli, bit-reversed
_CRC_MASK_DELTA = 0xA282EAD8


def _make_crc32c_table() -> np.ndarray:
    """uint32[256]: the register after shifting each byte value through 8 bits."""
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ _CRC32C_POLYNOMIAL, table >> 1)
    return table.astype(np.uint32)


_CRC32C_TABLE = _make_crc32c_table()
_CRC32C_TABLE_LIST = [int(v) for v in _CRC32C_TABLE]


def _crc32c_bytewise(data: bytes) -> int:
    register = 0xFFFFFFFF
    for byte in data:
        register = _CRC32C_TABLE_LIST[(register ^ byte) & 0xFF] ^ (register >> 8)
    return register ^ 0xFFFFFFFF


def _crc32c_lanes(data: bytes) -> int:
    """CRC-32C over L parallel lanes (requires len(data) >= 4).

    Folding the initial register 0xFFFFFFFF into the first 4 bytes turns the
    CRC into a purely linear function of the data. Left-padding with zeros then
    changes nothing, so the data splits evenly into lanes. 32 extra lanes start
    from the unit vectors on zero data; they end up holding the columns of the
    "skip m zero bytes" operator used to merge the lanes.
    """
    n = len(data)
    # sqrt(n) lanes balances the numpy steps (n / lanes) against the Python merge.
    lanes = max(1, isqrt(n))
    lane_length = -(-n // lanes)
    padding = lanes * lane_length - n
    stream = np.zeros(lanes * lane_length, dtype=np.uint8)
    stream[padding:] = np.frombuffer(data, dtype=np.uint8)
    stream[padding : padding + 4] ^= 0xFF
    # Row j holds byte j of every lane, then zeros for the 32 operator lanes.
    rows = np.zeros((lane_length, lanes + 32), dtype=np.uint32)
    rows[:, :lanes] = stream.reshape(lanes, lane_length).T
    unit_vectors = np.uint32(1) << np.arange(32, dtype=np.uint32)
    register = np.concatenate([np.zeros(lanes, np.uint32), unit_vectors])
    for row in rows:
        register = _CRC32C_TABLE[(register ^ row) & 0xFF] ^ (register >> 8)
    lane_crcs = [int(v) for v in register[:lanes]]
    skip_columns = [int(v) for v in register[lanes:]]
    combined = 0
    for lane_crc in lane_crcs:
        combined = _apply_gf2_operator(skip_columns, combined) ^ lane_crc
    return combined ^ 0xFFFFFFFF


def _apply_gf2_operator(columns: list[int], vector: int) -> int:
    """Multiply a 32x32 GF(2) matrix (given by its columns) by a 32-bit vector."""
    result, bit = 0, 0
    while vector:
        if vector & 1:
            result ^= columns[bit]
        vector >>= 1
        bit += 1
    return result


def _unmask_crc(masked: int) -> int:
    """Undo LevelDB's CRC masking (rotate right 15 after subtracting a delta)."""
    rotated = (masked - _CRC_MASK_DELTA) & 0xFFFFFFFF
    return ((rotated >> 17) | (rotated << 15)) & 0xFFFFFFFF
