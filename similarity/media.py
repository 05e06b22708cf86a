"""Calls to the configured media server, with its errors turned into ours (and their HTTP statuses)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from mediaservers.adapters import MediaServerAdapter, MediaServerUser
from mediaservers.errors import (
    CapabilityNotSupported,
    MediaServerAuthError,
    MediaServerError,
    MediaServerNotFound,
)
from mediaservers.selectors import current_adapter
from similarity.errors import MediaServerRejected, MediaServerUnreachable, NoPlayHistory

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def media_server() -> Iterator[MediaServerAdapter]:
    """The configured adapter, closed afterwards; its failures come out as similarity errors."""
    try:
        with current_adapter() as adapter:
            yield adapter
    except CapabilityNotSupported as exc:
        raise NoPlayHistory(exc.user_message) from exc
    except (MediaServerAuthError, MediaServerNotFound) as exc:
        raise MediaServerRejected(f"The media server refused the request: {exc}") from exc
    except MediaServerError as exc:
        logger.warning("similarity.mediaserver.failed", extra={"error": str(exc)})
        raise MediaServerUnreachable(f"The media server could not be reached: {exc}") from exc


def user_from_request(data: dict) -> MediaServerUser | None:
    """Someone's own credentials from a request (Jellyfin/Emby id + token, Navidrome user + password).

    None means "use the server's configured user".
    """
    identifier = str(data.get("jellyfin_user_identifier") or "").strip()
    token = str(data.get("jellyfin_token") or "").strip()
    if identifier:
        return MediaServerUser(user_id=identifier, token=token)
    username = str(data.get("navidrome_user") or "").strip()
    password = str(data.get("navidrome_password") or "")
    if username and password:
        return MediaServerUser(username=username, password=password)
    return None
