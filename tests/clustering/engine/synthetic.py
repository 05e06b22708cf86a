"""Synthetic libraries whose answer is known: Gaussian blobs in 200-d, each with its own mood."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clustering.engine import ClusteringData, build_clustering_data

# Eight planted moods (all stratified genres) and two that no blob owns.
MOOD_LABELS = ("rock", "pop", "jazz", "metal", "ambient", "folk", "House", "blues", "sad", "happy")
TEMPO_RANGE_BPM = (40.0, 200.0)


@dataclass(frozen=True, eq=False)
class PlantedLibrary:
    """data plus, per track, the blob it was drawn from ([shape=(n_tracks,)])."""

    data: ClusteringData
    blobs: np.ndarray


def planted_library(
    *,
    blob_count: int = 8,
    per_blob: int = 30,
    dims: int = 200,
    separation: float = 1.5,
    artist_count: int = 37,
    seed: int = 0,
) -> PlantedLibrary:
    """``blob_count`` well-separated blobs; blob b's tracks share mood MOOD_LABELS[b], a tempo and a feature."""
    rng = np.random.default_rng(seed)
    blobs = np.repeat(np.arange(blob_count), per_blob)
    count = len(blobs)
    centres = separation * rng.normal(size=(blob_count, dims))
    moods = rng.uniform(0.0, 0.1, size=(count, len(MOOD_LABELS)))
    moods[np.arange(count), blobs % len(MOOD_LABELS)] = rng.uniform(0.6, 0.9, size=count)
    other = rng.uniform(0.0, 0.2, size=(count, 6))
    other[np.arange(count), blobs % 6] = rng.uniform(0.6, 0.9, size=count)
    data = build_clustering_data(
        item_ids=[f"track-{i}" for i in range(count)],
        embeddings=centres[blobs] + rng.normal(size=(count, dims)),
        tempo_bpm=np.linspace(70, 170, blob_count)[blobs] + rng.normal(0, 3, size=count),
        energy=rng.uniform(0, 1, size=count),
        moods=moods,
        other_features=other,
        artists=[f"artist-{i % artist_count}" for i in range(count)],
        mood_labels=MOOD_LABELS,
        tempo_range_bpm=TEMPO_RANGE_BPM,
    )
    return PlantedLibrary(data=data, blobs=blobs)
