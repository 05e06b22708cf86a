"""Retries with exponential backoff, shared by the HTTP and MPD transports."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

logger = logging.getLogger("mediaservers")

T = TypeVar("T")

DEFAULT_TRIES = 3
DEFAULT_BACKOFF_SECONDS = 0.25


def call_with_retries(
    attempt: Callable[[], T],
    *,
    should_retry: Callable[[Exception], bool],
    describe: Callable[[Exception], str],
    server: str,
    tries: int = DEFAULT_TRIES,
    backoff_seconds: float = DEFAULT_BACKOFF_SECONDS,
) -> T:
    """Run ``attempt`` up to ``tries`` times, sleeping backoff, 2x backoff, ... between.

    ``describe`` turns an exception into a secret-free reason for the log, since
    transport exceptions often quote the full URL with its query string.
    """
    for number in range(1, tries + 1):
        try:
            return attempt()
        except Exception as exc:
            if number == tries or not should_retry(exc):
                raise
            delay = backoff_seconds * (2 ** (number - 1))
            logger.warning(
                "mediaserver.request.retry",
                extra={"server": server, "attempt": number, "reason": describe(exc), "delay_s": delay},
            )
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
