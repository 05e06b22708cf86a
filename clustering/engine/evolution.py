"""Parameter generation: explore at random within the ranges, or mutate one of the elites.

For the first ``exploitation_start_fraction`` of the runs every parameter set is
drawn uniformly from the search ranges. After that, with probability
``exploitation_probability``, one of the elites (best-scoring sets so far, of
the same algorithm) is picked uniformly and each searched parameter moves by
a uniform step of at most ``mutation_int_abs_delta`` (integers, PCA included)
or ``mutation_float_abs_delta`` (floats), clamped to its range.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from clustering.engine.algorithms import MODEL_PARAMS, GMMParams, ModelParams, SpectralParams
from clustering.engine.defaults import EvolutionSettings, SearchSpace
from clustering.engine.errors import InvalidClusteringConfigError


@dataclass(frozen=True)
class IterationParams:
    """One point of the search: the model's parameters and the PCA size (0 = no PCA)."""

    model: ModelParams
    pca_components: int

    def as_dict(self) -> dict[str, Any]:
        """Flat and JSON-ready: ``{"algorithm": "kmeans", "pca_components": 12, "n_clusters": 57}``."""
        return {
            "algorithm": self.model.algorithm,
            "pca_components": self.pca_components,
            **dataclasses.asdict(self.model),
        }

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> IterationParams:
        values = dict(mapping)
        try:
            model_class = MODEL_PARAMS[values.pop("algorithm")]
            pca_components = int(values.pop("pca_components"))
            return cls(model=model_class(**values), pca_components=pca_components)
        except (KeyError, TypeError) as error:
            raise InvalidClusteringConfigError(f"not a parameter set: {dict(mapping)!r}") from error


@dataclass(frozen=True)
class Elite:
    """A parameter set that scored well, remembered so later runs can mutate it."""

    score: float
    params: IterationParams

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "params": self.params.as_dict()}

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> Elite:
        return cls(score=float(mapping["score"]), params=IterationParams.from_dict(mapping["params"]))


def next_params(
    *,
    search: SearchSpace,
    evolution: EvolutionSettings,
    elites: Sequence[Elite],
    run_index: int,
    total_runs: int,
    rng: np.random.Generator,
) -> IterationParams:
    """The parameters of run ``run_index`` (0-based) out of ``total_runs``."""
    candidates = [elite for elite in elites if elite.params.model.algorithm == search.algorithm]
    exploiting = (
        candidates
        and run_index >= evolution.exploitation_start_fraction * total_runs
        and rng.random() < evolution.exploitation_probability
    )
    if exploiting:
        parent = candidates[int(rng.integers(len(candidates)))]
        return mutated_params(params=parent.params, search=search, evolution=evolution, rng=rng)
    return random_params(search=search, rng=rng)


def random_params(*, search: SearchSpace, rng: np.random.Generator) -> IterationParams:
    """Each searched parameter uniform in its range (integers inclusive of both ends)."""
    model_class = MODEL_PARAMS[search.algorithm]
    types = typing.get_type_hints(model_class)
    values = {
        name: _uniform(bounds, integer=types[name] is int, rng=rng) for name, bounds in search.searched_ranges().items()
    }
    model = model_class(**values, **_fixed_parameters(search))
    return IterationParams(model=model, pca_components=_uniform(search.pca_components, integer=True, rng=rng))


def mutated_params(
    *, params: IterationParams, search: SearchSpace, evolution: EvolutionSettings, rng: np.random.Generator
) -> IterationParams:
    """``params`` with every searched parameter and the PCA size nudged, then clamped to the ranges."""
    types = typing.get_type_hints(type(params.model))
    values = {
        name: _nudged(getattr(params.model, name), bounds, integer=types[name] is int, evolution=evolution, rng=rng)
        for name, bounds in search.searched_ranges().items()
    }
    model = dataclasses.replace(params.model, **values, **_fixed_parameters(search))
    pca = _nudged(params.pca_components, search.pca_components, integer=True, evolution=evolution, rng=rng)
    return IterationParams(model=model, pca_components=pca)


def updated_elites(*, elites: Sequence[Elite], candidates: Sequence[Elite], top_n: int) -> tuple[Elite, ...]:
    """The ``top_n`` best of both, highest score first; a parameter set appears once, with its best score."""
    best: dict[IterationParams, Elite] = {}
    for elite in (*elites, *candidates):
        known = best.get(elite.params)
        if known is None or elite.score > known.score:
            best[elite.params] = elite
    return tuple(sorted(best.values(), key=lambda elite: elite.score, reverse=True)[:top_n])


def _fixed_parameters(search: SearchSpace) -> dict[str, Any]:
    """Parameters of the model that the search does not vary, taken from the config."""
    if search.algorithm == GMMParams.algorithm:
        return {"covariance_type": search.gmm_covariance_type}
    if search.algorithm == SpectralParams.algorithm:
        return {"n_neighbors": search.spectral_n_neighbors}
    return {}


def _uniform(bounds: tuple[float, float], *, integer: bool, rng: np.random.Generator) -> Any:
    low, high = bounds
    if integer:
        return int(rng.integers(int(low), int(high) + 1))
    return float(rng.uniform(low, high))


def _nudged(
    value: float,
    bounds: tuple[float, float],
    *,
    integer: bool,
    evolution: EvolutionSettings,
    rng: np.random.Generator,
) -> Any:
    low, high = bounds
    if integer:
        delta = evolution.mutation_int_abs_delta
        return int(np.clip(int(value) + int(rng.integers(-delta, delta + 1)), low, high))
    delta = evolution.mutation_float_abs_delta
    return float(np.clip(value + rng.uniform(-delta, delta), low, high))
