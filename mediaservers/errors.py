"""Errors raised by media server adapters.

Every adapter translates its transport's failures (sockets, HTTP statuses,
Subsonic envelopes, MPD ACKs) into this one hierarchy, so callers handle
"the server is down" or "the password is wrong" the same way for every
server. Messages never contain a token or a password.
"""


class MediaServerError(Exception):
    """Base class; ``retryable`` tells a task whether trying later may help."""

    retryable = False


class MediaServerUnavailable(MediaServerError):
    """The server did not answer: refused connection, timeout, 5xx after retries."""

    retryable = True


class MediaServerAuthError(MediaServerError):
    """The server rejected our credentials (HTTP 401/403, Subsonic 40/41, MPD ACK 3/4).

    The message names the URL the credentials were sent to, never the secret.
    """

    def __init__(self, message: str, *, url: str = ""):
        super().__init__(message)
        self.url = url


class IncompleteUserCredentials(MediaServerError):
    """Someone's own credentials lack what this server needs (a Navidrome user without a password).

    Raised before any request: the caller's input is at fault, not the server.
    """


class MediaServerNotFound(MediaServerError):
    """The album, track, playlist, user or library asked for does not exist."""


class MediaServerConfigError(MediaServerError):
    """The configuration is incomplete or contradictory (e.g. JELLYFIN_URL missing)."""


class TrackTooLarge(MediaServerError):
    """A download exceeded MEDIASERVER_MAX_DOWNLOAD_MB; the partial file was removed."""


class CapabilityNotSupported(MediaServerError):
    """The server cannot do this at all; ``user_message`` says why, for the UI."""

    def __init__(self, capability: str, user_message: str):
        super().__init__(user_message)
        self.capability = capability
        self.user_message = user_message


class UnknownServerSelection(ValueError):
    """A request names a media server we do not serve (``server``/``server_id``); the caller's input is at fault."""

    retryable = False
