"""Writes of the similarity app: the vector index (build, store, publish), and playlists from pages and clients."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import redis
from celery import current_app
from django.db import transaction

from analysis.models import EMBEDDING_DIMENSIONS
from common.config import setting
from mediaservers.adapters import MediaServerUser
from playlists import services as playlists_services
from playlists.models import PlaylistOrigin
from playlists.services import PlaylistCreated
from similarity import selectors
from similarity.engine.vector_index import IndexParams, build_index_bytes
from similarity.media import media_server
from similarity.models import VectorIndex

logger = logging.getLogger(__name__)

RELOAD_CHANNEL = "audiomuse:index-updates"
DERIVED_MODELS_FIT_TASK = "similarity.derived_models_fit"


def vector_index_rebuild(*, name: str | None = None) -> VectorIndex | None:
    """Build the index from every stored embedding, store it, tell all processes.

    Returns None (and removes a stored index) when there are no embeddings.
    """
    name = name or setting("INDEX_NAME")
    started = time.monotonic()
    embeddings = selectors.all_embeddings()
    item_ids, vectors = list(embeddings.item_ids), embeddings.vectors
    with transaction.atomic():
        if not item_ids:
            VectorIndex.objects.filter(name=name).delete()
            stored = None
        else:
            params = IndexParams(m=setting("VOYAGER_M"), ef_construction=setting("VOYAGER_EF_CONSTRUCTION"))
            stored = _store(name, build_index_bytes(vectors, params=params), item_ids, time.monotonic() - started)
        transaction.on_commit(lambda: index_reload_publish(name=name))
    logger.info("similarity.index.rebuilt", extra={"index": name, "size": len(item_ids)})
    return stored


def vector_index_rebuild_on_library_change(**_signal_kwargs) -> None:
    """Receiver of analysis' ``library_changed``: searches see the tracks as they are now.

    The derived models (artists, hyperbolic) are fitted by a worker once the new index is
    committed; the analysis does not wait for them.
    """
    vector_index_rebuild()
    transaction.on_commit(derived_models_fit_enqueue)


def derived_models_fit_enqueue() -> None:
    """Queue the fit of every derived model (similarity.tasks.derived_models_fit), by name."""
    current_app.send_task(DERIVED_MODELS_FIT_TASK, queue="default")


def _store(name: str, data: bytes, item_ids: list[str], seconds: float) -> VectorIndex:
    current = VectorIndex.objects.select_for_update().filter(name=name).first()
    version = current.version + 1 if current else 1
    stored, _ = VectorIndex.objects.update_or_create(
        name=name,
        defaults={
            "data": data,
            "item_ids": item_ids,
            "dimensions": EMBEDDING_DIMENSIONS,
            "size": len(item_ids),
            "version": version,
            "build_seconds": round(seconds, 3),
        },
    )
    return stored


def index_reload_publish(*, name: str) -> None:
    """Tell every process to load the new index; a lost message is caught by the version check."""
    try:
        client = redis.Redis.from_url(setting("REDIS_URL"), socket_timeout=5)
        client.publish(RELOAD_CHANNEL, name)
    except redis.RedisError as exc:
        logger.warning("similarity.index.publish_failed", extra={"index": name, "error": str(exc)})


def playlist_create(
    *, name: str, item_ids: Sequence[str], origin: str = PlaylistOrigin.MANUAL, user: MediaServerUser | None = None
) -> PlaylistCreated:
    """Create (or replace) a playlist on the configured media server and record it (playlists.services)."""
    with media_server() as adapter:
        return playlists_services.playlist_create(
            adapter=adapter, name=name, item_ids=item_ids, origin=origin, user=user
        )
