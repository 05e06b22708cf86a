"""Similar artists: every artist as a small mixture of their tracks' directions.

Fitting: the tracks' embeddings are scaled to unit length and grouped by
artist. Each artist gets ``k = min(max_components, max(1, floor(sqrt(m /
tracks_per_component))))`` components for ``m`` tracks (1 up to 11 tracks, 2
from 12, 3 from 27, 4 from 48 with the defaults), found by spherical k-means
(k-means++ start, seeded per artist, so a refit of the same library gives the
same model). A component has a weight (its share of the artist's tracks), a
unit mean, a spread (the mean cosine distance of its tracks to the mean) and
its representative tracks (the few nearest its mean).

Divergence between mixtures A = {(a_i, mu_i, s_i)} and B = {(b_j, nu_j, t_j)}:
the cost of matching two components is ``c_ij = (1 - mu_i . nu_j) +
SPREAD_WEIGHT * |s_i - t_j|`` (cosine distance of the means plus how
differently wide they are), and

    D(A, B) = 1/2 * (sum_i a_i * min_j c_ij + sum_j b_j * min_i c_ij),

a weighted symmetric chamfer distance: every component of either artist is
matched to its cheapest counterpart, weighted by its share. It is symmetric,
0 for identical mixtures, never negative, and costs one (k_A, k_B) matrix.

Query: an HNSW cosine index (Voyager) over the artists' centroids (the mean
direction of their tracks) gives ``oversample * n`` candidates, which are
re-ranked by the divergence; the seed artist is never among the results.
"""

from __future__ import annotations

import functools
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import voyager

from similarity.engine.songs import unit_rows

SPREAD_WEIGHT = 0.5
FORMAT_VERSION = 1


class ArtistModelError(ValueError):
    """The artist model cannot be fitted, loaded or asked this question."""


class UnknownArtistError(ArtistModelError):
    """The artist key is not in the model."""


@dataclass(frozen=True)
class ArtistModelParams:
    """max_components: cap on k; tracks_per_component: see the module docstring;
    representatives: tracks kept per component; iterations: k-means rounds at most;
    index_m, index_ef_construction: HNSW build parameters of the centroid index."""

    max_components: int = 4
    tracks_per_component: int = 3
    representatives: int = 3
    iterations: int = 20
    index_m: int = 16
    index_ef_construction: int = 200


@dataclass(frozen=True)
class ArtistComponent:
    """One mixture component: weight in (0, 1], unit mean [shape=(d,)], spread (cosine distance),
    and its representative track ids, nearest the mean first."""

    weight: float
    mean: np.ndarray
    spread: float
    representative_track_ids: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class ArtistModel:
    """Every artist's mixture, in flat arrays, and the centroid index.

    artist_keys: one per artist, sorted; Voyager id i is artist i.
    track_counts: np.ndarray [shape=(a,), int32].
    component_offsets: np.ndarray [shape=(a + 1,), int64]; artist i owns component rows
        ``component_offsets[i]:component_offsets[i + 1]``, heaviest first.
    weights, spreads: np.ndarray [shape=(c,), float32]; means: np.ndarray [shape=(c, d), float32], unit rows.
    representative_offsets: np.ndarray [shape=(c + 1,), int64] into representative_track_ids.
    """

    artist_keys: tuple[str, ...]
    track_counts: np.ndarray
    component_offsets: np.ndarray
    weights: np.ndarray
    means: np.ndarray
    spreads: np.ndarray
    representative_offsets: np.ndarray
    representative_track_ids: tuple[str, ...]
    index: voyager.Index

    def __len__(self) -> int:
        return len(self.artist_keys)

    def __contains__(self, artist_key: str) -> bool:
        return artist_key in self.positions

    @functools.cached_property
    def positions(self) -> dict[str, int]:
        return {key: position for position, key in enumerate(self.artist_keys)}

    def position_of(self, artist_key: str) -> int:
        try:
            return self.positions[artist_key]
        except KeyError:
            raise UnknownArtistError(f"artist {artist_key!r} is not in the artist model") from None


@dataclass(frozen=True)
class ComponentMatch:
    """A seed component and its cheapest counterpart in a result artist (or the other way round)."""

    seed_component: int
    other_component: int
    cost: float
    seed_track_ids: tuple[str, ...]
    other_track_ids: tuple[str, ...]


@dataclass(frozen=True)
class SimilarArtist:
    """A result: the artist key, its divergence from the seed, and (when asked) the component matches."""

    artist_key: str
    divergence: float
    component_matches: tuple[ComponentMatch, ...] = ()


# --- fitting -------------------------------------------------------------------------------------


def component_count(track_count: int, *, params: ArtistModelParams) -> int:
    """How many components an artist with ``track_count`` tracks gets (see the module docstring)."""
    return min(params.max_components, max(1, math.isqrt(track_count // params.tracks_per_component)))


def spherical_kmeans(vectors: np.ndarray, *, k: int, rng: np.random.Generator, iterations: int) -> np.ndarray:
    """Cluster labels [shape=(m,)] of unit rows ``vectors`` [shape=(m, d)] into at most ``k`` groups.

    k-means++ start under cosine distance, then Lloyd rounds (assign to the most similar
    mean, re-normalise the sums) until the labels stop changing.
    """
    count = len(vectors)
    k = min(k, count)
    if k <= 1:
        return np.zeros(count, dtype=np.int64)
    centres = [vectors[int(rng.integers(count))]]
    nearest = 1.0 - vectors @ centres[0]
    for _ in range(1, k):
        weights = np.maximum(nearest, 0.0) ** 2
        total = float(weights.sum())
        choice = int(rng.choice(count, p=weights / total)) if total > 0 else int(rng.integers(count))
        centres.append(vectors[choice])
        nearest = np.minimum(nearest, 1.0 - vectors @ centres[-1])
    means = np.stack(centres)
    labels = np.full(count, -1, dtype=np.int64)
    for _ in range(iterations):
        new_labels = np.argmax(vectors @ means.T, axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        sums = np.zeros_like(means)
        np.add.at(sums, labels, vectors)
        filled = np.linalg.norm(sums, axis=1) > 0
        means[filled] = unit_rows(sums[filled])
    return labels


def fit_mixture(
    vectors: np.ndarray, track_ids: Sequence[str], *, params: ArtistModelParams, rng: np.random.Generator
) -> list[ArtistComponent]:
    """One artist's components, heaviest first. vectors: np.ndarray [shape=(m, d)], unit rows; m >= 1."""
    labels = spherical_kmeans(
        vectors, k=component_count(len(vectors), params=params), rng=rng, iterations=params.iterations
    )
    components = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        total = vectors[members].sum(axis=0)
        norm = float(np.linalg.norm(total))
        mean = total / norm if norm > 0 else vectors[members[0]]
        distances = 1.0 - vectors[members] @ mean
        nearest = members[np.argsort(distances, kind="stable")[: params.representatives]]
        components.append(
            ArtistComponent(
                weight=len(members) / len(vectors),
                mean=mean.astype(np.float32),
                spread=float(max(distances.mean(), 0.0)),
                representative_track_ids=tuple(track_ids[i] for i in nearest),
            )
        )
    return sorted(components, key=lambda component: -component.weight)


def fit_artist_model(
    *,
    embeddings: np.ndarray,
    artist_keys: Sequence[str],
    track_ids: Sequence[str],
    params: ArtistModelParams | None = None,
    seed: int = 0,
) -> ArtistModel:
    """Fit every artist's mixture and build the centroid index.

    embeddings: np.ndarray [shape=(n, d)], any float dtype (rows are scaled to unit length);
    artist_keys, track_ids: one per row. The same inputs and seed give the same model.
    """
    params = params or ArtistModelParams()
    vectors = np.asarray(embeddings, dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) == 0:
        raise ArtistModelError(f"need a non-empty (n, d) array of embeddings, got shape {vectors.shape}")
    if not len(artist_keys) == len(track_ids) == len(vectors):
        raise ArtistModelError("embeddings, artist_keys and track_ids need one entry per track")
    vectors = unit_rows(vectors)
    keys, inverse = np.unique(np.asarray(artist_keys, dtype=object), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(keys) + 1))
    mixtures = []
    for position in range(len(keys)):
        rows = order[bounds[position] : bounds[position + 1]]
        rng = np.random.default_rng([seed, position])
        mixtures.append(fit_mixture(vectors[rows], [track_ids[i] for i in rows], params=params, rng=rng))
    centroids = unit_rows(np.stack([vectors[order[bounds[p] : bounds[p + 1]]].sum(axis=0) for p in range(len(keys))]))
    return _assemble(
        artist_keys=tuple(str(key) for key in keys),
        track_counts=np.diff(bounds).astype(np.int32),
        mixtures=mixtures,
        index=_build_index(centroids, params=params),
    )


def _build_index(centroids: np.ndarray, *, params: ArtistModelParams) -> voyager.Index:
    index = voyager.Index(
        voyager.Space.Cosine,
        num_dimensions=centroids.shape[1],
        M=params.index_m,
        ef_construction=params.index_ef_construction,
        max_elements=len(centroids),
    )
    index.add_items(np.ascontiguousarray(centroids, dtype=np.float32), ids=np.arange(len(centroids), dtype=np.uint64))
    return index


def _assemble(
    *,
    artist_keys: tuple[str, ...],
    track_counts: np.ndarray,
    mixtures: list[list[ArtistComponent]],
    index: voyager.Index,
) -> ArtistModel:
    components = [component for mixture in mixtures for component in mixture]
    representatives = [component.representative_track_ids for component in components]
    return ArtistModel(
        artist_keys=artist_keys,
        track_counts=track_counts,
        component_offsets=np.concatenate([[0], np.cumsum([len(mixture) for mixture in mixtures])]).astype(np.int64),
        weights=np.array([component.weight for component in components], dtype=np.float32),
        means=np.stack([component.mean for component in components]).astype(np.float32),
        spreads=np.array([component.spread for component in components], dtype=np.float32),
        representative_offsets=np.concatenate([[0], np.cumsum([len(ids) for ids in representatives])]).astype(np.int64),
        representative_track_ids=tuple(track_id for ids in representatives for track_id in ids),
        index=index,
    )


# --- reading the model ---------------------------------------------------------------------------


def artist_components(model: ArtistModel, *, artist_key: str) -> tuple[ArtistComponent, ...]:
    """The artist's components, heaviest first; UnknownArtistError for a key not in the model."""
    return tuple(_component(model, row) for row in _component_rows(model, model.position_of(artist_key)))


def _component(model: ArtistModel, row: int) -> ArtistComponent:
    return ArtistComponent(
        weight=float(model.weights[row]),
        mean=model.means[row],
        spread=float(model.spreads[row]),
        representative_track_ids=_representatives(model, row),
    )


def _component_rows(model: ArtistModel, position: int) -> np.ndarray:
    return np.arange(model.component_offsets[position], model.component_offsets[position + 1])


def _representatives(model: ArtistModel, row: int) -> tuple[str, ...]:
    start, end = model.representative_offsets[row], model.representative_offsets[row + 1]
    return model.representative_track_ids[start:end]


# --- divergence ----------------------------------------------------------------------------------


def component_costs(
    first_means: np.ndarray, first_spreads: np.ndarray, second_means: np.ndarray, second_spreads: np.ndarray
) -> np.ndarray:
    """``c_ij = (1 - mu_i . nu_j) + SPREAD_WEIGHT * |s_i - t_j|``; shape (k1, k2).

    Means are unit rows [shape=(k, d)], spreads [shape=(k,)].
    """
    cosine = 1.0 - np.asarray(first_means, dtype=np.float64) @ np.asarray(second_means, dtype=np.float64).T
    spread = np.abs(np.asarray(first_spreads, dtype=np.float64)[:, None] - np.asarray(second_spreads)[None, :])
    return np.maximum(cosine, 0.0) + SPREAD_WEIGHT * spread


def mixture_divergence(first: Sequence[ArtistComponent], second: Sequence[ArtistComponent]) -> float:
    """The weighted symmetric chamfer divergence D(A, B) of the module docstring."""
    if not first or not second:
        raise ArtistModelError("a divergence needs two non-empty mixtures")
    costs = component_costs(
        np.stack([component.mean for component in first]),
        np.array([component.spread for component in first]),
        np.stack([component.mean for component in second]),
        np.array([component.spread for component in second]),
    )
    first_weights = np.array([component.weight for component in first])
    second_weights = np.array([component.weight for component in second])
    return float(0.5 * (first_weights @ costs.min(axis=1) + second_weights @ costs.min(axis=0)))


def artist_divergence(model: ArtistModel, *, first_key: str, second_key: str) -> float:
    """D between two artists of the model."""
    first, second = model.position_of(first_key), model.position_of(second_key)
    return float(_divergences(model, seed=first, candidates=np.array([second]))[0])


def _divergences(model: ArtistModel, *, seed: int, candidates: np.ndarray) -> np.ndarray:
    """D(seed, candidate) for every candidate position at once; shape (len(candidates),)."""
    seed_rows = _component_rows(model, seed)
    starts = model.component_offsets[candidates]
    counts = model.component_offsets[candidates + 1] - starts
    segment_starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rows = np.repeat(starts - segment_starts, counts) + np.arange(int(counts.sum()))
    costs = component_costs(model.means[seed_rows], model.spreads[seed_rows], model.means[rows], model.spreads[rows])
    seed_side = model.weights[seed_rows].astype(np.float64) @ np.minimum.reduceat(costs, segment_starts, axis=1)
    other_side = np.add.reduceat(model.weights[rows] * costs.min(axis=0), segment_starts)
    return 0.5 * (seed_side + other_side)


# --- query ---------------------------------------------------------------------------------------

DEFAULT_EF_SEARCH = 100
DEFAULT_OVERSAMPLE = 8
MAX_RESULTS = 1000


def similar_artists(
    model: ArtistModel,
    *,
    artist_key: str,
    n: int,
    ef_search: int = DEFAULT_EF_SEARCH,
    oversample: int = DEFAULT_OVERSAMPLE,
    include_component_matches: bool = False,
) -> list[SimilarArtist]:
    """Up to ``n`` artists least divergent from ``artist_key``, least first; never the artist itself.

    Candidates are the ``oversample * n`` nearest centroids (HNSW, ``ef_search`` deep).
    UnknownArtistError for a key not in the model; ArtistModelError for n outside 1..MAX_RESULTS
    or oversample < 1.
    """
    if not 1 <= n <= MAX_RESULTS:
        raise ArtistModelError(f"n must be between 1 and {MAX_RESULTS}, got {n}")
    if oversample < 1:
        raise ArtistModelError(f"oversample must be at least 1, got {oversample}")
    seed = model.position_of(artist_key)
    k = min(len(model), n * oversample + 1)
    if k <= 1:
        return []
    ids, distances = model.index.query(model.index.get_vector(seed), k=k, num_threads=1, query_ef=max(ef_search, k))
    ids = ids.astype(np.int64)
    candidates, distances = ids[ids != seed], distances[ids != seed]
    divergences = np.maximum(_divergences(model, seed=seed, candidates=candidates), 0.0)
    chosen = np.lexsort((distances, divergences))[:n]
    return [
        SimilarArtist(
            artist_key=model.artist_keys[candidates[i]],
            divergence=float(divergences[i]),
            component_matches=component_matches(model, seed=seed, other=int(candidates[i]))
            if include_component_matches
            else (),
        )
        for i in chosen
    ]


def component_matches(model: ArtistModel, *, seed: int, other: int) -> tuple[ComponentMatch, ...]:
    """The pairs the divergence uses (each component's cheapest counterpart, both ways), cheapest first.

    seed, other: artist positions. Component numbers count within each artist, heaviest first.
    """
    seed_rows, other_rows = _component_rows(model, seed), _component_rows(model, other)
    costs = component_costs(
        model.means[seed_rows], model.spreads[seed_rows], model.means[other_rows], model.spreads[other_rows]
    )
    pairs = {(i, int(np.argmin(costs[i]))) for i in range(len(seed_rows))}
    pairs |= {(int(np.argmin(costs[:, j])), j) for j in range(len(other_rows))}
    return tuple(
        ComponentMatch(
            seed_component=i,
            other_component=j,
            cost=float(costs[i, j]),
            seed_track_ids=_representatives(model, int(seed_rows[i])),
            other_track_ids=_representatives(model, int(other_rows[j])),
        )
        for i, j in sorted(pairs, key=lambda pair: (costs[pair], pair))
    )


# --- bytes ---------------------------------------------------------------------------------------


def artist_model_to_bytes(model: ArtistModel) -> bytes:
    """The model as one compressed ``.npz`` (means stored as float16, about 3 significant digits)."""
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        format_version=np.array(FORMAT_VERSION),
        artist_keys=_strings_to_array(model.artist_keys),
        representative_track_ids=_strings_to_array(model.representative_track_ids),
        track_counts=model.track_counts,
        component_offsets=model.component_offsets,
        weights=model.weights,
        means=model.means.astype(np.float16),
        spreads=model.spreads,
        representative_offsets=model.representative_offsets,
        index=np.frombuffer(model.index.as_bytes(), dtype=np.uint8),
    )
    return buffer.getvalue()


def artist_model_from_bytes(data: bytes) -> ArtistModel:
    """The model ``artist_model_to_bytes`` wrote; ArtistModelError for anything else."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            if int(stored["format_version"]) != FORMAT_VERSION:
                raise ArtistModelError(f"artist model format {int(stored['format_version'])} is not {FORMAT_VERSION}")
            model = ArtistModel(
                artist_keys=_strings_from_array(stored["artist_keys"]),
                track_counts=stored["track_counts"],
                component_offsets=stored["component_offsets"],
                weights=stored["weights"],
                means=unit_rows(stored["means"].astype(np.float32)),
                spreads=stored["spreads"],
                representative_offsets=stored["representative_offsets"],
                representative_track_ids=_strings_from_array(stored["representative_track_ids"]),
                index=voyager.Index.load(io.BytesIO(stored["index"].tobytes())),
            )
    except ArtistModelError:
        raise
    except (OSError, KeyError, ValueError, RuntimeError) as error:
        raise ArtistModelError(f"not a stored artist model: {error}") from error
    if model.index.num_elements != len(model.artist_keys):
        raise ArtistModelError("the stored index and artist keys disagree")
    return model


def _strings_to_array(strings: Sequence[str]) -> np.ndarray:
    return np.frombuffer(json.dumps(list(strings)).encode(), dtype=np.uint8)


def _strings_from_array(array: np.ndarray) -> tuple[str, ...]:
    return tuple(json.loads(array.tobytes().decode()))
