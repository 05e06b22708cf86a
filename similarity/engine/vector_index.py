"""An HNSW cosine index over track embeddings (Voyager), as bytes and in memory.

Framework-free: vectors and ids in, neighbours out. Distances are cosine
distances, ``1 - cos(a, b)``, in [0, 2].
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import voyager


class IndexQueryError(ValueError):
    """The index cannot answer: unknown id, or a vector of the wrong size."""


@dataclass(frozen=True)
class IndexParams:
    """Build-time HNSW parameters: ``m`` links per node, ``ef_construction`` build depth."""

    m: int = 32
    ef_construction: int = 400


def build_index_bytes(vectors: np.ndarray, *, params: IndexParams) -> bytes:
    """Serialized Voyager index of ``vectors``; row i gets Voyager id i.

    vectors: np.ndarray [shape=(n, d)], any float dtype; rows need not be unit length.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[0] == 0:
        raise IndexQueryError(f"need a non-empty (n, d) array of vectors, got shape {vectors.shape}")
    index = voyager.Index(
        voyager.Space.Cosine,
        num_dimensions=vectors.shape[1],
        M=params.m,
        ef_construction=params.ef_construction,
        max_elements=vectors.shape[0],
    )
    index.add_items(vectors, ids=np.arange(vectors.shape[0], dtype=np.uint64))
    return index.as_bytes()


@dataclass
class LoadedIndex:
    """An index in memory with its id map (Voyager id i <-> item_ids[i])."""

    index: voyager.Index
    item_ids: list[str]
    version: int
    positions: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.positions = {item_id: position for position, item_id in enumerate(self.item_ids)}

    @classmethod
    def from_bytes(cls, data: bytes, *, item_ids: list[str], version: int) -> LoadedIndex:
        index = voyager.Index.load(io.BytesIO(data))
        if index.num_elements != len(item_ids):
            raise IndexQueryError(f"index holds {index.num_elements} vectors but the id map has {len(item_ids)}")
        return cls(index=index, item_ids=list(item_ids), version=version)

    def __len__(self) -> int:
        return len(self.item_ids)

    def __contains__(self, item_id: str) -> bool:
        return item_id in self.positions

    def vector_of(self, item_id: str) -> np.ndarray:
        """The stored (unit-length) vector of ``item_id``."""
        try:
            return np.asarray(self.index.get_vector(self.positions[item_id]), dtype=np.float32)
        except KeyError:
            raise IndexQueryError(f"track {item_id} is not in the index") from None

    def vectors_of(self, item_ids: list[str]) -> np.ndarray:
        """The stored (unit-length) vectors of ``item_ids``, one row each; every id must be indexed."""
        try:
            positions = [self.positions[item_id] for item_id in item_ids]
        except KeyError as missing:
            raise IndexQueryError(f"track {missing.args[0]} is not in the index") from None
        if not positions:
            return np.empty((0, self.index.num_dimensions), dtype=np.float32)
        return np.asarray(self.index.get_vectors(positions), dtype=np.float32)

    def nearest(self, vector: np.ndarray, *, k: int, query_ef: int) -> list[tuple[str, float]]:
        """Up to ``k`` (item_id, cosine distance) pairs, nearest first."""
        k = min(k, len(self))
        if k <= 0:
            return []
        vector = np.asarray(vector, dtype=np.float32)
        if vector.shape != (self.index.num_dimensions,):
            raise IndexQueryError(f"query vector must have shape ({self.index.num_dimensions},)")
        ids, distances = self.index.query(vector, k=k, query_ef=max(query_ef, k))
        return [(self.item_ids[int(i)], float(d)) for i, d in zip(ids, distances, strict=True)]

    def nearest_many(self, vectors: np.ndarray, *, k: int, query_ef: int) -> list[list[tuple[str, float]]]:
        """``nearest`` for every row of ``vectors`` [shape=(n, d)] in one call (one thread: a web request)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        k = min(k, len(self))
        if k <= 0 or len(vectors) == 0:
            return [[] for _ in range(len(vectors))]
        if vectors.ndim != 2 or vectors.shape[1] != self.index.num_dimensions:
            raise IndexQueryError(f"query vectors must have shape (n, {self.index.num_dimensions})")
        ids, distances = self.index.query(vectors, k=k, num_threads=1, query_ef=max(query_ef, k))
        return [
            [(self.item_ids[int(i)], float(d)) for i, d in zip(row_ids, row_distances, strict=True)]
            for row_ids, row_distances in zip(ids, distances, strict=True)
        ]
