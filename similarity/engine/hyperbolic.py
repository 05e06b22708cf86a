"""A hyperbolic view of the library: every track a point in the Poincaré ball.

Method. A track's *generality* is how typical it is: the mean cosine
similarity to its ``neighbours`` most similar tracks among a seeded sample of
``landmarks`` tracks (a local density; tracks in the crowded middle of the
library score high, outliers low). Its rank among all tracks sets the radius,
``radius = MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * specificity`` where
specificity = 1 - rank / (n - 1) of generality, so the most general track sits
nearest the origin and the most specific one nearest the boundary. Its
direction is the unit vector of its PCA projection (``dimensions`` axes) of
the centred unit embeddings, so tracks that sound alike point the same way.
Distances are Poincaré distances (curvature -1):
``d(u, v) = arcosh(1 + 2 |u - v|^2 / ((1 - |u|^2) (1 - |v|^2)))``.

Query modes, with rho = 2 artanh(radius) the distance from the origin and
spread = ``radial_spread`` >= 0:

- ``similar``: by d(seed, candidate);
- ``roots``: by d + spread * (rho_candidate - rho_seed): more general tracks near the seed first;
- ``niche``: by d - spread * (rho_candidate - rho_seed): more specific tracks near the seed first.

Since d >= |rho_candidate - rho_seed|, with spread = 1 a track on the way from
the seed to the origin (an ancestor) scores 0 in ``roots``, and one straight
outward (a descendant) scores 0 in ``niche``.
"""

from __future__ import annotations

import enum
import functools
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.decomposition import PCA

from similarity.engine.songs import unit_rows

MIN_RADIUS = 0.05
MAX_RADIUS = 0.95
MAX_LIMIT = 1000
MAX_RADIAL_SPREAD = 10.0
FORMAT_VERSION = 1
# Rows of the generality computation at a time: a (chunk, landmarks) float32 block stays small.
CHUNK_ROWS = 4096


class HyperbolicError(ValueError):
    """The hyperbolic model cannot be fitted, loaded or asked this question."""


class HyperbolicMode(enum.StrEnum):
    SIMILAR = "similar"
    ROOTS = "roots"
    NICHE = "niche"


@dataclass(frozen=True)
class HyperbolicParams:
    """dimensions: of the ball; neighbours, landmarks: of the generality estimate (module docstring)."""

    dimensions: int = 10
    neighbours: int = 10
    landmarks: int = 2048


@dataclass(frozen=True, eq=False)
class HyperbolicModel:
    """points: np.ndarray [shape=(n, dimensions), float32], every row inside the unit ball;
    radii, generality: np.ndarray [shape=(n,), float32]; item_ids: one per row."""

    item_ids: tuple[str, ...]
    points: np.ndarray
    radii: np.ndarray
    generality: np.ndarray

    def __len__(self) -> int:
        return len(self.item_ids)

    @functools.cached_property
    def positions(self) -> dict[str, int]:
        return {item_id: position for position, item_id in enumerate(self.item_ids)}

    @functools.cached_property
    def origin_distances(self) -> np.ndarray:
        """rho of every track [shape=(n,)], float64 (kept: every query needs it)."""
        return origin_distance(self.radii)

    def index_of(self, item_id: str) -> int:
        try:
            return self.positions[item_id]
        except KeyError:
            raise HyperbolicError(f"track {item_id} is not in the hyperbolic model") from None


@dataclass(frozen=True, eq=False)
class HyperbolicNeighbours:
    """Results in rank order: indices (rows of the model), Poincaré distances to the seed and radii,
    all np.ndarray [shape=(k,)]; the seed's own radius."""

    seed_index: int
    seed_radius: float
    mode: HyperbolicMode
    radial_spread: float
    indices: np.ndarray
    distances: np.ndarray
    radii: np.ndarray


# --- fitting -------------------------------------------------------------------------------------


def fit_hyperbolic_model(
    *, embeddings: np.ndarray, track_ids: Sequence[str], params: HyperbolicParams | None = None, seed: int = 0
) -> HyperbolicModel:
    """Place every track in the ball (module docstring). embeddings: np.ndarray [shape=(n, d)], n >= 2."""
    params = params or HyperbolicParams()
    vectors = np.asarray(embeddings, dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) < 2:
        raise HyperbolicError(f"need an (n, d) array of at least 2 embeddings, got shape {vectors.shape}")
    if len(track_ids) != len(vectors):
        raise HyperbolicError("embeddings and track_ids need one entry per track")
    vectors = unit_rows(vectors)
    generality = track_generality(vectors, params=params, rng=np.random.default_rng(seed))
    radii = radius_from_generality(generality)
    directions = projected_directions(vectors, dimensions=params.dimensions, seed=seed)
    return HyperbolicModel(
        item_ids=tuple(track_ids),
        points=(directions * radii[:, None]).astype(np.float32),
        radii=radii.astype(np.float32),
        generality=generality.astype(np.float32),
    )


def track_generality(vectors: np.ndarray, *, params: HyperbolicParams, rng: np.random.Generator) -> np.ndarray:
    """Mean cosine similarity of each unit row [shape=(n, d)] to its nearest landmarks; shape (n,).

    A track drawn as a landmark is not its own neighbour (its self-similarity is masked).
    """
    count = len(vectors)
    landmarks = np.sort(rng.choice(count, size=min(params.landmarks, count), replace=False))
    neighbours = max(1, min(params.neighbours, len(landmarks) - 1))
    landmark_vectors = np.ascontiguousarray(vectors[landmarks].T)
    generality = np.empty(count, dtype=np.float64)
    for start in range(0, count, CHUNK_ROWS):
        rows = np.arange(start, min(start + CHUNK_ROWS, count))
        similarities = vectors[rows] @ landmark_vectors
        own = np.searchsorted(landmarks, rows)
        is_landmark = (own < len(landmarks)) & (landmarks[np.minimum(own, len(landmarks) - 1)] == rows)
        similarities[is_landmark, own[is_landmark]] = -np.inf
        nearest = np.partition(similarities, -neighbours, axis=1)[:, -neighbours:]
        generality[rows] = nearest.mean(axis=1)
    return generality


def radius_from_generality(generality: np.ndarray) -> np.ndarray:
    """Radius in [MIN_RADIUS, MAX_RADIUS] falling with generality's rank (ties share a rank); shape (n,)."""
    generality = np.asarray(generality, dtype=np.float64)
    ranks = np.searchsorted(np.sort(generality), generality, side="left")
    specificity = 1.0 - ranks / max(len(generality) - 1, 1)
    return MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * specificity


def projected_directions(vectors: np.ndarray, *, dimensions: int, seed: int) -> np.ndarray:
    """Unit rows [shape=(n, dimensions)]: the PCA projection of centred ``vectors`` [shape=(n, d)], normalised.

    With fewer directions of spread than ``dimensions`` the rest are 0; a row projected onto the
    origin points along the first axis.
    """
    components = min(dimensions, *vectors.shape)
    pca = PCA(n_components=components, svd_solver="randomized", random_state=seed)
    projected = np.zeros((len(vectors), dimensions))
    projected[:, :components] = pca.fit_transform(vectors)
    flat = np.linalg.norm(projected, axis=1) <= 1e-12
    projected[flat, 0] = 1.0
    return unit_rows(projected)


# --- distances and queries -----------------------------------------------------------------------


def poincare_distances(points: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Poincaré distance of every row of ``points`` [shape=(n, k)] to ``target`` [shape=(k,)]; shape (n,)."""
    points = np.asarray(points, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    squared_gap = ((points - target) ** 2).sum(axis=1)
    denominator = (1.0 - (points**2).sum(axis=1)) * (1.0 - float(target @ target))
    return np.arccosh(1.0 + 2.0 * squared_gap / np.maximum(denominator, 1e-12))


def origin_distance(radii: np.ndarray) -> np.ndarray:
    """rho = 2 artanh(r): the Poincaré distance of a point of radius r from the origin."""
    return 2.0 * np.arctanh(np.asarray(radii, dtype=np.float64))


def hyperbolic_neighbours(
    model: HyperbolicModel, *, seed_index: int, mode: str, limit: int, radial_spread: float = 1.0
) -> HyperbolicNeighbours:
    """The ``limit`` best tracks for ``mode`` (module docstring), never the seed; fewer in a small library.

    HyperbolicError (a ValueError) for an unknown mode, a seed_index outside the model,
    a limit outside 1..MAX_LIMIT or a radial_spread outside 0..MAX_RADIAL_SPREAD.
    """
    mode = _parse_mode(mode)
    if not 0 <= seed_index < len(model):
        raise HyperbolicError(f"seed_index must be in 0..{len(model) - 1}, got {seed_index}")
    if not 1 <= limit <= MAX_LIMIT:
        raise HyperbolicError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    if not 0.0 <= radial_spread <= MAX_RADIAL_SPREAD:  # also refuses NaN
        raise HyperbolicError(f"radial_spread must be between 0 and {MAX_RADIAL_SPREAD}, got {radial_spread}")
    distances = poincare_distances(model.points, model.points[seed_index])
    radial_gap = model.origin_distances - model.origin_distances[seed_index]
    direction = {HyperbolicMode.SIMILAR: 0.0, HyperbolicMode.ROOTS: 1.0, HyperbolicMode.NICHE: -1.0}[mode]
    scores = distances + direction * radial_spread * radial_gap
    scores[seed_index] = np.inf
    limit = min(limit, len(model) - 1)
    chosen = np.argpartition(scores, limit - 1)[:limit] if limit < len(scores) else np.arange(len(scores))
    chosen = chosen[np.lexsort((chosen, scores[chosen]))]
    return HyperbolicNeighbours(
        seed_index=seed_index,
        seed_radius=float(model.radii[seed_index]),
        mode=mode,
        radial_spread=float(radial_spread),
        indices=chosen,
        distances=distances[chosen],
        radii=model.radii[chosen].astype(np.float64),
    )


def _parse_mode(mode: str) -> HyperbolicMode:
    try:
        return HyperbolicMode(mode)
    except ValueError:
        choices = ", ".join(member.value for member in HyperbolicMode)
        raise HyperbolicError(f"mode must be one of {choices}, got {mode!r}") from None


# --- tree ----------------------------------------------------------------------------------------

# Two roots whose directions have a cosine above this are one branch; the next root is sought elsewhere.
ROOT_SEPARATION = 0.5


def hyperbolic_tree(
    model: HyperbolicModel, *, roots: int = 5, children: int = 3, depth: int = 3
) -> list[dict[str, Any]]:
    """A small hierarchy as plain data: the most general tracks of distinct directions, each with its
    ``children`` nearest more specific tracks, ``depth`` levels in all (roots are level 1).

    Node: ``{"index", "item_id", "radius", "distance" (to the parent; 0 for a root), "children": [...]}``.
    A track appears at most once.
    """
    if roots < 1 or children < 0 or depth < 1:
        raise HyperbolicError("a tree needs roots >= 1, children >= 0 and depth >= 1")
    used = np.zeros(len(model), dtype=bool)
    nodes = []
    for index in _root_indices(model, count=roots):
        used[index] = True
        nodes.append(_tree_node(model, index=int(index), distance=0.0))
    level = nodes
    for _ in range(depth - 1):
        next_level = []
        for node in level:
            for index, distance in _children_of(model, parent=node["index"], count=children, used=used):
                child = _tree_node(model, index=index, distance=distance)
                node["children"].append(child)
                next_level.append(child)
        level = next_level
    return nodes


def _root_indices(model: HyperbolicModel, *, count: int) -> list[int]:
    """The most general tracks, skipping any pointing the way of a root already chosen, then filling up."""
    by_generality = np.argsort(model.radii, kind="stable")
    directions = unit_rows(model.points.astype(np.float64))
    chosen: list[int] = []
    for index in by_generality:
        if len(chosen) == count:
            break
        if not chosen or float((directions[chosen] @ directions[index]).max()) <= ROOT_SEPARATION:
            chosen.append(int(index))
    taken = set(chosen)
    remaining = [int(index) for index in by_generality if int(index) not in taken]
    return chosen + remaining[: count - len(chosen)]


def _children_of(model: HyperbolicModel, *, parent: int, count: int, used: np.ndarray) -> list[tuple[int, float]]:
    """The ``count`` unused tracks of larger radius nearest ``parent``; marks them used."""
    if count == 0:
        return []
    distances = poincare_distances(model.points, model.points[parent])
    distances[used | (model.radii <= model.radii[parent])] = np.inf
    nearest = np.argsort(distances, kind="stable")[:count]
    nearest = nearest[np.isfinite(distances[nearest])]
    used[nearest] = True
    return [(int(index), float(distances[index])) for index in nearest]


def _tree_node(model: HyperbolicModel, *, index: int, distance: float) -> dict[str, Any]:
    return {
        "index": index,
        "item_id": model.item_ids[index],
        "radius": float(model.radii[index]),
        "distance": distance,
        "children": [],
    }


# --- bytes ---------------------------------------------------------------------------------------


def hyperbolic_model_to_bytes(model: HyperbolicModel) -> bytes:
    """The model as one compressed ``.npz``."""
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        format_version=np.array(FORMAT_VERSION),
        item_ids=np.frombuffer(json.dumps(list(model.item_ids)).encode(), dtype=np.uint8),
        points=model.points,
        radii=model.radii,
        generality=model.generality,
    )
    return buffer.getvalue()


def hyperbolic_model_from_bytes(data: bytes) -> HyperbolicModel:
    """The model ``hyperbolic_model_to_bytes`` wrote; HyperbolicError for anything else."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            version = int(stored["format_version"])
            if version != FORMAT_VERSION:
                raise HyperbolicError(f"hyperbolic model format {version} is not {FORMAT_VERSION}")
            model = HyperbolicModel(
                item_ids=tuple(json.loads(stored["item_ids"].tobytes().decode())),
                points=stored["points"],
                radii=stored["radii"],
                generality=stored["generality"],
            )
    except HyperbolicError:
        raise
    except (OSError, KeyError, ValueError) as error:
        raise HyperbolicError(f"not a stored hyperbolic model: {error}") from error
    if not len(model.item_ids) == len(model.points) == len(model.radii) or math.isnan(float(model.radii.sum())):
        raise HyperbolicError("the stored hyperbolic model is inconsistent")
    return model
