"""Models derived from the library (artists, mood centroids), fitted in this process per vector index version.

Until derived models are stored like the vector index, each process fits
one on first use and again whenever the loaded index changes version: the
index is rebuilt whenever the analysed library changes, so the two agree.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from similarity.index_manager import index_manager

T = TypeVar("T")
_ALL: list[PerIndexVersion] = []


def clear_all() -> None:
    """Forget every fitted model (tests: each builds its own library, and indexes restart at version 1)."""
    for cache in _ALL:
        cache.clear()


class PerIndexVersion(Generic[T]):
    """``fit()``'s result, kept until the loaded vector index changes version."""

    def __init__(self, fit: Callable[[], T]) -> None:
        self._fit = fit
        self._lock = threading.Lock()
        self._version: int | None = None
        self._value: T | None = None
        _ALL.append(self)

    def current(self) -> T:
        """IndexNotReady (503) before an index is built."""
        version = index_manager.current().version
        with self._lock:
            if self._value is None or self._version != version:
                self._value = self._fit()
                self._version = version
            return self._value

    def clear(self) -> None:
        with self._lock:
            self._value, self._version = None, None
