"""Models derived from the embeddings (the artist mixtures, the hyperbolic ball): fit, store, announce, load.

After every index rebuild a worker runs ``similarity.tasks.derived_models_fit``:
each kind is fitted from the database, stored as bytes in one ``DerivedModel``
row (keyed by kind, with a growing version) and announced on the index's
reload channel as ``derived:<kind>``. Every process holds the newest through a
``DerivedModelManager``, the same reload mechanism as the vector index
(``similarity.index_manager``): on the announcement, or on a version check.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from similarity.index_manager import StoredModelManager
from similarity.models import DerivedModel, VectorIndex
from similarity.services import index_reload_publish

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DerivedKind:
    """One kind of derived model.

    fit: reads the database and returns the model, or None when the library is too small for one;
    to_bytes / load: store it, and turn the stored bytes into what requests use.
    """

    name: str
    fit: Callable[[], Any | None]
    to_bytes: Callable[[Any], bytes]
    load: Callable[[bytes], Any]
    not_ready_message: str

    @property
    def channel_name(self) -> str:
        return f"derived:{self.name}"


class DerivedModelManager(StoredModelManager[Any]):
    """The newest stored model of one kind in this process's memory."""

    def __init__(self, kind: DerivedKind) -> None:
        super().__init__(kind.channel_name)
        self.kind = kind
        self.not_ready_message = kind.not_ready_message

    def stored_version(self) -> int | None:
        return DerivedModel.objects.filter(kind=self.kind.name).values_list("version", flat=True).first()

    def load_stored(self) -> tuple[Any, int] | None:
        stored = DerivedModel.objects.filter(kind=self.kind.name).first()
        if stored is None:
            return None
        return self.kind.load(bytes(stored.data)), stored.version


def derived_model_refit(*, kind: DerivedKind, force: bool = False) -> DerivedModel | None:
    """Fit ``kind`` from the stored embeddings, store it and announce it.

    Skipped (the stored row returned) when it was already fitted from the current index version,
    unless ``force``. A library too small for the model removes the stored one (None).
    """
    index_version = VectorIndex.objects.order_by("-version").values_list("version", flat=True).first() or 0
    current = DerivedModel.objects.filter(kind=kind.name).first()
    if current is not None and current.index_version == index_version and not force:
        return current
    started = time.monotonic()
    model = kind.fit()
    seconds = time.monotonic() - started
    with transaction.atomic():
        if model is None:
            DerivedModel.objects.filter(kind=kind.name).delete()
            stored = None
        else:
            data = kind.to_bytes(model)
            stored = _store(kind, data=data, size=len(model), index_version=index_version, seconds=seconds)
        transaction.on_commit(lambda: index_reload_publish(name=kind.channel_name))
    logger.info("similarity.derived.fitted", extra={"kind": kind.name, "seconds": round(seconds, 3)})
    return stored


def _store(kind: DerivedKind, *, data: bytes, size: int, index_version: int, seconds: float) -> DerivedModel:
    current = DerivedModel.objects.select_for_update().filter(kind=kind.name).first()
    stored, _ = DerivedModel.objects.update_or_create(
        kind=kind.name,
        defaults={
            "data": data,
            "version": current.version + 1 if current else 1,
            "index_version": index_version,
            "size": size,
            "fit_seconds": round(seconds, 3),
        },
    )
    return stored
