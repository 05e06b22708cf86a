"""HTTP transport shared by the Jellyfin, Emby, Navidrome and Lyrion adapters.

One requests Session per adapter, a timeout on every call, bounded retries
with exponential backoff on connection errors and 5xx, and typed errors.
Nothing here logs or raises a URL with its query string unmasked: Subsonic
puts its token in the query (``t``, ``s``, ``p``) and requests' own
exception texts quote the full URL, so they are never passed on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from mediaservers.adapters.download import CHUNK_BYTES, save_chunks, suffix_for
from mediaservers.adapters.resilience import DEFAULT_BACKOFF_SECONDS, DEFAULT_TRIES, call_with_retries
from mediaservers.errors import (
    MediaServerAuthError,
    MediaServerError,
    MediaServerNotFound,
    MediaServerUnavailable,
    TrackTooLarge,
)

logger = logging.getLogger("mediaservers")

SECRET_PARAMS = frozenset({"t", "s", "p", "api_key", "apikey", "token", "x-emby-token", "password"})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})
_FILENAME = re.compile(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', re.IGNORECASE)
_SECRET_IN_TEXT = re.compile(r"([?&](?:" + "|".join(sorted(SECRET_PARAMS)) + r")=)[^&\s\"']*", re.IGNORECASE)


def mask_secrets(text: str) -> str:
    """'...?u=alice&t=abc&s=def' -> '...?u=alice&t=***&s=***' (Subsonic tokens, API keys, passwords)."""
    return _SECRET_IN_TEXT.sub(r"\1***", text)


class _MaskQuerySecrets(logging.Filter):
    """urllib3 logs every request line, query string included, at DEBUG: mask it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask_secrets(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_MaskQuerySecrets())


class _ServerError(Exception):
    """A 5xx answer, raised inside the retry loop so it is retried like a dropped connection."""

    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


class HttpClient:
    def __init__(
        self,
        *,
        base_url: str,
        server: str,
        timeout: float,
        headers: dict[str, str] | None = None,
        tries: int = DEFAULT_TRIES,
        backoff_seconds: float = DEFAULT_BACKOFF_SECONDS,
    ):
        parts = urlsplit(base_url.rstrip("/"))
        self.session = requests.Session()
        if parts.username is not None:
            # Credentials in the URL (Lyrion behind basic auth) become session auth.
            self.session.auth = (parts.username, parts.password or "")
            parts = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1])
        self.base_url = urlunsplit(parts)
        self.server = server
        self.timeout = timeout
        self.tries = tries
        self.backoff_seconds = backoff_seconds
        self.session.headers.update(headers or {})

    def display(self, path: str = "") -> str:
        """The URL for messages: base + path, never a query string."""
        return self.base_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        stream: bool = False,
        idempotent: bool | None = None,
    ) -> requests.Response:
        """Send with retries; raises typed errors for transport failures and 4xx/5xx."""
        safe_to_repeat = method.upper() in IDEMPOTENT_METHODS if idempotent is None else idempotent

        def attempt() -> requests.Response:
            response = self.session.request(
                method,
                self.base_url + path,
                params=params,
                json=json,
                headers=headers,
                timeout=(self.timeout, self.timeout),
                stream=stream,
            )
            if response.status_code >= 500:
                response.close()
                raise _ServerError(response.status_code)
            return response

        try:
            response = call_with_retries(
                attempt,
                should_retry=lambda exc: _is_transient(exc, safe_to_repeat),
                describe=_describe,
                server=self.server,
                tries=self.tries,
                backoff_seconds=self.backoff_seconds,
            )
        except (requests.RequestException, _ServerError) as exc:
            raise self._unavailable(path, exc) from None
        self._raise_for_status(response, path)
        return response

    def get_json(self, path: str, *, params: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self._json(self.request("GET", path, params=params, headers=headers), path)

    def send_json(self, method: str, path: str, **options: Any) -> Any:
        """POST/DELETE and friends (``options`` as for ``request``); the decoded body, or None when it is empty."""
        response = self.request(method, path, **options)
        if not response.content:
            return None
        return self._json(response, path)

    def download(
        self,
        path: str,
        *,
        dest_dir: Path,
        max_bytes: int,
        params: Any = None,
        headers: dict[str, str] | None = None,
        name_hint: str | None = None,
        inspect: Callable[[requests.Response], None] | None = None,
    ) -> Path:
        """Stream a body to a file in ``dest_dir``; ``inspect`` may reject the response first."""
        response = self.request("GET", path, params=params, headers=headers, stream=True)
        with response:
            if inspect is not None:
                inspect(response)
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > max_bytes:
                raise TrackTooLarge(f"{self.display(path)} is larger than the download cap")
            disposition = _FILENAME.search(response.headers.get("Content-Disposition", ""))
            suffix = suffix_for(name_hint, disposition.group(1) if disposition else None)
            try:
                return save_chunks(
                    response.iter_content(CHUNK_BYTES),
                    dest_dir=dest_dir,
                    suffix=suffix,
                    max_bytes=max_bytes,
                    source=self.display(path),
                )
            except requests.RequestException as exc:
                raise self._unavailable(path, exc) from None

    def close(self) -> None:
        self.session.close()

    def _json(self, response: requests.Response, path: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise MediaServerError(f"{self.server} sent a body that is not JSON from {self.display(path)}") from None

    def _raise_for_status(self, response: requests.Response, path: str) -> None:
        status = response.status_code
        if status < 400:
            return
        response.close()
        url = self.display(path)
        if status in (401, 403):
            raise MediaServerAuthError(f"{self.server} rejected the credentials (HTTP {status}) at {url}", url=url)
        if status == 404:
            raise MediaServerNotFound(f"{self.server} has nothing at {url} (HTTP 404)")
        raise MediaServerError(f"{self.server} answered HTTP {status} for {url}")

    def _unavailable(self, path: str, exc: Exception) -> MediaServerUnavailable:
        reason = _describe(exc)
        logger.error(
            "mediaserver.request.failed", extra={"server": self.server, "url": self.display(path), "reason": reason}
        )
        return MediaServerUnavailable(f"{self.server} at {self.display(path)} is unavailable: {reason}")


def _is_transient(exc: Exception, safe_to_repeat: bool) -> bool:
    if isinstance(exc, requests.ConnectTimeout):
        return True  # nothing reached the server, so even a POST may be repeated
    if isinstance(exc, requests.ConnectionError) and _refused(exc):
        return True
    if isinstance(exc, (requests.ConnectionError, requests.Timeout, _ServerError)):
        return safe_to_repeat
    return False


def _refused(exc: Exception) -> bool:
    text = repr(exc.args)
    return "NewConnectionError" in text or "Connection refused" in text


def _describe(exc: Exception) -> str:
    """A secret-free reason: requests' messages embed the URL with its query string."""
    if isinstance(exc, _ServerError):
        return f"HTTP {exc.status}"
    if isinstance(exc, requests.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, requests.ReadTimeout):
        return "no answer before the timeout"
    if isinstance(exc, requests.ConnectionError):
        return "connection refused" if _refused(exc) else "connection failed"
    return type(exc).__name__
