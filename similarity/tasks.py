"""Celery tasks of the similarity app."""

from __future__ import annotations

from celery import shared_task

from similarity.artists import ARTIST_MODEL
from similarity.derived import derived_model_refit
from similarity.hyperbolic import HYPERBOLIC_MODEL

DERIVED_KINDS = (ARTIST_MODEL, HYPERBOLIC_MODEL)


@shared_task(name="similarity.derived_models_fit", ignore_result=True)
def derived_models_fit(force: bool = False) -> None:
    """Fit every derived model from the current embeddings (enqueued after each index rebuild)."""
    for kind in DERIVED_KINDS:
        derived_model_refit(kind=kind, force=force)
