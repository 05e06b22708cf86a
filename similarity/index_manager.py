"""The vector index in this process's memory, kept current without restarts.

Each process (gunicorn worker, Celery worker child) loads the stored index on
first use and swaps in a new one when a rebuild is published on Redis. A
background thread listens; if Redis is unreachable, a version check on access
(at most every ``VERSION_CHECK_SECONDS``) keeps the index fresh anyway.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time

import redis
from django.db import close_old_connections, connection

from common.config import setting
from similarity.engine.vector_index import LoadedIndex
from similarity.errors import IndexNotReady
from similarity.models import VectorIndex
from similarity.services import RELOAD_CHANNEL

logger = logging.getLogger(__name__)

VERSION_CHECK_SECONDS = 2.0


class IndexManager:
    def __init__(self, name: str | None = None) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loaded: LoadedIndex | None = None
        self._checked_at = 0.0
        self._listener_pid: int | None = None
        self._listener: threading.Thread | None = None
        self._stopped = threading.Event()

    @property
    def name(self) -> str:
        return self._name or setting("INDEX_NAME")

    def current(self) -> LoadedIndex:
        """The loaded index; raises IndexNotReady when none has been built."""
        self._ensure_listener()
        listening = self._listener is not None and self._listener.is_alive()
        stale = time.monotonic() - self._checked_at > VERSION_CHECK_SECONDS
        if self._loaded is None or (stale and not listening):
            self.reload()
        if self._loaded is None:
            raise IndexNotReady("The similarity index is not built yet: run an analysis first.")
        return self._loaded

    def reload(self) -> None:
        """Load the stored index if its version differs from the one in memory."""
        with self._lock:
            self._checked_at = time.monotonic()
            row = VectorIndex.objects.filter(name=self.name).values("version").first()
            if row is None:
                self._loaded = None
                return
            if self._loaded is not None and self._loaded.version == row["version"]:
                return
            stored = VectorIndex.objects.filter(name=self.name).first()
            if stored is None:
                self._loaded = None
                return
            self._loaded = LoadedIndex.from_bytes(bytes(stored.data), item_ids=stored.item_ids, version=stored.version)
        logger.info("similarity.index.loaded", extra={"index": self.name, "version": stored.version})

    def _ensure_listener(self) -> None:
        # Threads do not survive fork: start one per process, after the fork.
        if self._listener_pid == os.getpid():
            return
        self._listener_pid = os.getpid()
        self._listener = threading.Thread(target=self._listen, name="index-reload", daemon=True)
        self._listener.start()

    def close(self) -> None:
        """Stop listening and drop the index (tests, interpreter exit)."""
        self._stopped.set()
        self._loaded = None

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
                logger.debug("similarity.index.listener_reconnecting", extra={"error": str(exc)})
                self._stopped.wait(backoff)
                backoff = min(backoff * 2, 30.0)

    def _reload_from_thread(self) -> None:
        close_old_connections()
        try:
            self.reload()
        except Exception:
            logger.exception("similarity.index.reload_failed")
        finally:
            connection.close()


index_manager = IndexManager()
atexit.register(index_manager.close)
