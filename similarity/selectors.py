"""Reads of the similarity app."""

from __future__ import annotations

import numpy as np
from pgvector.django import CosineDistance

from analysis.models import Embedding


def nearest_by_pgvector(
    *, vector: np.ndarray, k: int, exclude_item_ids: tuple[str, ...] = ()
) -> list[tuple[str, float]]:
    """Exact cosine ranking in SQL: (item_id, distance) nearest first. Slow but exact."""
    rows = (
        Embedding.objects.exclude(track__item_id__in=exclude_item_ids)
        .annotate(distance=CosineDistance("vector", np.asarray(vector, dtype=np.float32)))
        .order_by("distance")
        .values_list("track__item_id", "distance")[:k]
    )
    return [(item_id, float(distance)) for item_id, distance in rows]
