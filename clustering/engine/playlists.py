"""From the search's best result to named, cleaned playlists: the last step of a clustering job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from clustering.engine.data import ClusteringData
from clustering.engine.defaults import ClusteringConfig
from clustering.engine.iteration import IterationResult
from clustering.engine.naming import NameProposer, name_playlists
from clustering.engine.postprocess import postprocess_playlists
from clustering.engine.sampling import sampling_plan
from clustering.engine.scaling import LibraryScaling, library_scaling, scaled_config


@dataclass(frozen=True)
class NamedPlaylist:
    """A finished playlist: its name (ends in ``_automatic``), its tracks in play order, its centroid."""

    name: str
    item_ids: tuple[str, ...]
    centroid: tuple[float, ...]


@dataclass(frozen=True)
class PlaylistSet:
    """The playlists of one clustering job and the small-library scaling they were made with."""

    playlists: tuple[NamedPlaylist, ...]
    scaling: LibraryScaling

    def as_dict(self) -> dict[str, Any]:
        return {
            "playlists": [
                {"name": p.name, "item_ids": list(p.item_ids), "centroid": list(p.centroid)} for p in self.playlists
            ],
            "scaling": self.scaling.as_dict(),
        }


def finalize_playlists(
    *,
    best: IterationResult,
    data: ClusteringData,
    config: ClusteringConfig,
    rng: np.random.Generator,
    propose: NameProposer | None = None,
    scaling: LibraryScaling | None = None,
) -> PlaylistSet:
    """Post-process ``best`` with the minimum size scaled for the library, and name the playlists.

    data: the library the search ran on (or at least the tracks of ``best``, with ``scaling``).
    propose: the optional AI namer (see naming.name_playlists); feature names are its fallback.
    scaling: the library's scaling when ``data`` is not the whole library; by default it is
    computed from ``data`` exactly as run_batch does.
    """
    if scaling is None:
        tracks_per_run = sampling_plan(data=data, settings=config.sampling).sample_size
        scaling = library_scaling(tracks_per_run=tracks_per_run, config=config)
    settings = scaled_config(config, scaling=scaling).postprocessing
    drafts = postprocess_playlists(clusters=best.clusters, data=data, settings=settings, rng=rng)
    names = name_playlists([draft.centroid for draft in drafts], layout=data.layout, propose=propose)
    playlists = tuple(
        NamedPlaylist(name=name, item_ids=draft.item_ids, centroid=draft.centroid)
        for name, draft in zip(names, drafts, strict=True)
    )
    return PlaylistSet(playlists=playlists, scaling=scaling)
