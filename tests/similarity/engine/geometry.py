"""Songs with known geometry for the engine tests."""

from __future__ import annotations

import numpy as np

from similarity.engine.songs import Song, unit

DIMENSIONS = 8


def direction(degrees: float, *, plane: tuple[int, int] = (0, 1)) -> np.ndarray:
    """A unit vector at ``degrees`` in the plane of two axes: cosine distance between two is 1 - cos(angle)."""
    vector = np.zeros(DIMENSIONS)
    vector[plane[0]] = np.cos(np.radians(degrees))
    vector[plane[1]] = np.sin(np.radians(degrees))
    return vector


def song(item_id: str, vector: np.ndarray, *, artist: str | None = None, title: str | None = None, **features) -> Song:
    return Song(
        item_id=item_id,
        title=title if title is not None else f"Title {item_id}",
        artist=artist if artist is not None else f"Artist {item_id}",
        vector=unit(vector),
        features=features,
    )


def at(item_id: str, degrees: float, **kwargs) -> Song:
    return song(item_id, direction(degrees), **kwargs)
