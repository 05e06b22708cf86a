"""Song alchemy: add and subtract songs, then pick songs near the blend.

The add centroid is the mean direction of the added songs (an artist counts
as the mean of its songs); candidates near it that are closer than
``subtract_distance`` to the subtract centroid are moved aside. From the
rest, ``n`` songs are drawn with probabilities ``softmax(similarity / T)``
where similarity is ``1 / (distance + SIMILARITY_EPSILON)``; T = 0 takes the
nearest ones. The result is ordered by distance to the add centroid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from similarity.engine.songs import Metric, Song, distances_to, stack_vectors, unit

# Keeps 1 / distance finite for a candidate sitting on the centroid.
SIMILARITY_EPSILON = 1e-3


@dataclass(frozen=True)
class SubtractSplit:
    """kept: far enough from the subtract centroid; removed: too close (with their distance to it)."""

    kept: tuple[Song, ...]
    removed: tuple[Song, ...]
    removed_distances: tuple[float, ...]


def centroid(vectors: np.ndarray) -> np.ndarray:
    """Mean direction of unit vectors [shape=(n, d)], unit length; shape (d,)."""
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or len(vectors) == 0:
        raise ValueError("a centroid needs at least one vector")
    return unit(np.mean([unit(vector) for vector in vectors], axis=0))


def split_by_subtract(
    songs: Sequence[Song], *, subtract_centroid: np.ndarray | None, min_distance: float
) -> SubtractSplit:
    """Songs closer than ``min_distance`` (cosine) to the subtract centroid are removed."""
    if subtract_centroid is None or not songs:
        return SubtractSplit(kept=tuple(songs), removed=(), removed_distances=())
    to_subtract = distances_to(stack_vectors(songs), subtract_centroid, metric=Metric.ANGULAR)
    close = to_subtract < min_distance
    return SubtractSplit(
        kept=tuple(song for song, near in zip(songs, close, strict=True) if not near),
        removed=tuple(song for song, near in zip(songs, close, strict=True) if near),
        removed_distances=tuple(float(d) for d, near in zip(to_subtract, close, strict=True) if near),
    )


def sampling_logits(distances: np.ndarray, *, temperature: float) -> np.ndarray:
    """``similarity / T`` with similarity ``1 / (distance + SIMILARITY_EPSILON)``; softmax of these is
    each candidate's probability of being drawn first. temperature > 0."""
    return 1.0 / (np.asarray(distances, dtype=np.float64) + SIMILARITY_EPSILON) / temperature


def sample_by_temperature(distances: np.ndarray, *, n: int, temperature: float, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n`` candidates drawn without replacement, ordered nearest first.

    distances: np.ndarray [shape=(m,)], to the add centroid. temperature 0 takes the n nearest.
    Drawing uses the Gumbel top-k trick (logits plus Gumbel noise, the n largest), which samples
    from the softmax without replacement and stays exact when most probabilities underflow to 0.
    """
    distances = np.asarray(distances, dtype=np.float64)
    n = min(n, len(distances))
    if temperature <= 0 or n == len(distances):
        chosen = np.argsort(distances, kind="stable")[:n]
    else:
        keys = sampling_logits(distances, temperature=temperature) + rng.gumbel(size=len(distances))
        chosen = np.argsort(-keys, kind="stable")[:n]
    return chosen[np.argsort(distances[chosen], kind="stable")]


@dataclass(frozen=True)
class Projection:
    """2-D coordinates of the projected rows, and how they were made."""

    points: np.ndarray  # [shape=(n, 2)]
    method: str


# Randomised subspace iteration: a block of a few directions converges on the top two in a few rounds.
SUBSPACE_SIZE = 8
SUBSPACE_ROUNDS = 6


def project_2d(vectors: np.ndarray) -> Projection:
    """PCA to two dimensions; fewer than two directions of spread pad with 0.

    vectors: np.ndarray [shape=(n, d)]. The principal axes come from subspace
    iteration (products with a (d, 8) block, then an 8 x 8 eigenproblem)
    rather than an SVD or eigensolver of the full rows: on a busy web server
    a full-size LAPACK call's threads can stall a request for hundreds of
    milliseconds. The start block is seeded, so a picture is reproducible.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    points = np.zeros((len(vectors), 2))
    if len(vectors) < 2:
        return Projection(points=points, method="pca")
    centred = vectors - vectors.mean(axis=0)
    size = min(SUBSPACE_SIZE, *centred.shape)
    block = np.random.default_rng(0).normal(size=(centred.shape[1], size))
    for _ in range(SUBSPACE_ROUNDS):
        block, _ = np.linalg.qr(centred.T @ (centred @ block))
    spread, directions = np.linalg.eigh((centred @ block).T @ (centred @ block))  # ascending
    components = min(2, size)
    axes = block @ directions[:, ::-1][:, :components]
    strong = spread[::-1][:components] > 1e-12 * max(float(spread.max()), 1e-300)
    points[:, :components] = (centred @ axes) * strong
    return Projection(points=points, method="pca")
