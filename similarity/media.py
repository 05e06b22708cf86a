"""Calls to the configured media server, with its errors turned into ours (and their HTTP statuses)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping

from mediaservers.adapters import MediaServerAdapter, MediaServerUser
from mediaservers.errors import (
    CapabilityNotSupported,
    IncompleteUserCredentials,
    MediaServerAuthError,
    MediaServerError,
    MediaServerNotFound,
)
from mediaservers.selectors import current_adapter
from similarity.errors import InvalidSimilarityRequest, MediaServerRejected, MediaServerUnreachable, NoPlayHistory

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def media_server() -> Iterator[MediaServerAdapter]:
    """The configured adapter, closed afterwards; its failures come out as similarity errors."""
    try:
        with current_adapter() as adapter:
            yield adapter
    except CapabilityNotSupported as exc:
        raise NoPlayHistory(exc.user_message) from exc
    except IncompleteUserCredentials as exc:
        raise InvalidSimilarityRequest(f"User credentials: {exc}") from exc
    except (MediaServerAuthError, MediaServerNotFound) as exc:
        raise MediaServerRejected(f"The media server refused the request: {exc}") from exc
    except MediaServerError as exc:
        logger.warning("similarity.mediaserver.failed", extra={"error": str(exc)})
        raise MediaServerUnreachable(f"The media server could not be reached: {exc}") from exc


# Someone's own credentials under every name clients send them: AudioMuse-AI's create-playlist
# page ({user_identifier, token} / {user, password}) and the sonic fingerprint's parameters.
_CREDENTIAL_NAMES = {
    "user_id": ("user_identifier", "user_id", "jellyfin_user_identifier"),
    "token": ("token", "jellyfin_token"),
    "username": ("user", "username", "navidrome_user"),
    "password": ("password", "navidrome_password"),
}
_CREDENTIALS_SHAPE = "a user id or name and a token for Jellyfin/Emby, a user name and password for Navidrome"


def user_credentials(values) -> MediaServerUser | None:
    """Someone's own credentials from a request or its ``user_creds`` object.

    None (nothing given) means the server's configured user. Whether what was given is enough is
    the server's call: an adapter raises IncompleteUserCredentials, which media_server() makes a 400.
    """
    if values is None:
        return None
    if not isinstance(values, Mapping):
        raise InvalidSimilarityRequest(f"user_creds must be an object of strings: {_CREDENTIALS_SHAPE}")
    fields = {}
    for field, names in _CREDENTIAL_NAMES.items():
        given = [values[name] for name in names if values.get(name) not in (None, "")]
        if not all(isinstance(value, str) for value in given):
            raise InvalidSimilarityRequest(f"user credentials must be strings: {_CREDENTIALS_SHAPE}")
        value = given[0] if given else ""
        # A password is taken as typed; ids, names and tokens lose stray spaces from copy and paste.
        fields[field] = value if field == "password" else value.strip()
    return MediaServerUser(**fields) if any(fields.values()) else None
