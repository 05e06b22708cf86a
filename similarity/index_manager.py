"""Models stored in PostgreSQL (the vector index, the derived models), in this process's memory,
kept current without restarts.

Each process (gunicorn worker, Celery worker child) loads a stored model on
first use and swaps in a new one when a rebuild is published on Redis. A
background thread listens; if Redis is unreachable, a version check on access
(at most every ``VERSION_CHECK_SECONDS``) keeps the model fresh anyway.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from typing import Generic, TypeVar

import redis
from django.db import close_old_connections, connection

from common.config import setting
from similarity.engine.vector_index import LoadedIndex
from similarity.errors import IndexNotReady
from similarity.models import VectorIndex
from similarity.services import RELOAD_CHANNEL

logger = logging.getLogger(__name__)

VERSION_CHECK_SECONDS = 2.0

Loaded = TypeVar("Loaded")


class StoredModelManager(Generic[Loaded]):
    """A model stored in PostgreSQL with a growing ``version``, held in this process's memory.

    Subclasses say how to read the stored version and how to load the stored
    row; ``name`` is what a reload message on ``RELOAD_CHANNEL`` carries.
    """

    not_ready_message = "Not built yet: run an analysis first."

    def __init__(self, name: str | None = None) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loaded: Loaded | None = None
        self._loaded_version: int | None = None
        self._checked_at = 0.0
        self._listener_pid: int | None = None
        self._listener: threading.Thread | None = None
        self._stopped = threading.Event()

    @property
    def name(self) -> str:
        """What the reload messages for this model carry."""
        if self._name is None:
            raise NotImplementedError("a manager without a fixed name overrides name")
        return self._name

    def stored_version(self) -> int | None:
        """The version in the database, or None when nothing is stored."""
        raise NotImplementedError

    def load_stored(self) -> tuple[Loaded, int] | None:
        """The stored model, loaded, and its version; None when nothing is stored."""
        raise NotImplementedError

    def current(self) -> Loaded:
        """The loaded model; raises IndexNotReady when none has been stored."""
        self._ensure_listener()
        listening = self._listener is not None and self._listener.is_alive()
        stale = time.monotonic() - self._checked_at > VERSION_CHECK_SECONDS
        if self._loaded is None or (stale and not listening):
            self.reload()
        loaded = self._loaded
        if loaded is None:
            raise IndexNotReady(self.not_ready_message)
        return loaded

    def in_memory(self) -> Loaded | None:
        """The model this process holds now, without reading the database (status pages)."""
        return self._loaded

    def reload(self) -> None:
        """Load the stored model if its version differs from the one in memory."""
        with self._lock:
            self._checked_at = time.monotonic()
            version = self.stored_version()
            if version is None:
                self._loaded, self._loaded_version = None, None
                return
            if self._loaded is not None and self._loaded_version == version:
                return
            stored = self.load_stored()
            self._loaded, self._loaded_version = stored if stored is not None else (None, None)
        logger.info("similarity.model.loaded", extra={"model": self.name, "version": self._loaded_version})

    def _ensure_listener(self) -> None:
        # Threads do not survive fork: start one per process, after the fork.
        if self._listener_pid == os.getpid():
            return
        self._listener_pid = os.getpid()
        self._listener = threading.Thread(target=self._listen, name=f"reload-{self.name}", daemon=True)
        self._listener.start()

    def close(self) -> None:
        """Stop listening and drop the model (tests, interpreter exit)."""
        self._stopped.set()
        self._loaded, self._loaded_version = None, None

    def _listen(self) -> None:
        """Follow reload messages until closed, reconnecting after Redis outages."""
        backoff = 1.0
        while not self._stopped.is_set():
            try:
                pubsub = redis.Redis.from_url(setting("REDIS_URL")).pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(RELOAD_CHANNEL)
                backoff = 1.0
                self._reload_from_thread()  # catch up on anything published while disconnected
                while not self._stopped.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("data") in (self.name, self.name.encode()):
                        self._reload_from_thread()
                pubsub.close()
            except redis.RedisError as exc:
                logger.debug("similarity.model.listener_reconnecting", extra={"error": str(exc)})
                self._stopped.wait(backoff)
                backoff = min(backoff * 2, 30.0)

    def _reload_from_thread(self) -> None:
        close_old_connections()
        try:
            self.reload()
        except Exception:
            logger.exception("similarity.model.reload_failed", extra={"model": self.name})
        finally:
            connection.close()


class IndexManager(StoredModelManager[LoadedIndex]):
    """The vector index named ``name`` (default: the INDEX_NAME setting)."""

    not_ready_message = "The similarity index is not built yet: run an analysis first."

    @property
    def name(self) -> str:
        return self._name or setting("INDEX_NAME")

    def stored_version(self) -> int | None:
        return VectorIndex.objects.filter(name=self.name).values_list("version", flat=True).first()

    def load_stored(self) -> tuple[LoadedIndex, int] | None:
        stored = VectorIndex.objects.filter(name=self.name).first()
        if stored is None:
            return None
        loaded = LoadedIndex.from_bytes(bytes(stored.data), item_ids=stored.item_ids, version=stored.version)
        return loaded, stored.version


index_manager = IndexManager()
atexit.register(index_manager.close)
