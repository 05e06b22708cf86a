"""Errors of the similarity features. The API maps them to HTTP statuses in ``audiomuse.api.errors``."""


class IndexNotReady(RuntimeError):
    """No vector index has been built yet (run an analysis first); it may be there later."""

    retryable = True


class SimilarityError(Exception):
    """Base class of the request-level errors below; the message is shown to the user.

    ``retryable`` tells a job whether asking again later may help.
    """

    retryable = False


class InvalidSimilarityRequest(SimilarityError):
    """The request cannot be answered as asked (missing id, same start and end, no ADD song)."""


class TrackNotFound(SimilarityError):
    """A track id (or title/artist) matches no analysed track."""


class ArtistNotFound(SimilarityError):
    """An artist name or media-server artist id matches no artist of an analysed track."""


class NothingFound(SimilarityError):
    """The request was fine but no track passes the filters."""


class NoPlayHistory(SimilarityError):
    """The media server keeps no listening history, or not for this user, or none is analysed."""


class MediaServerRejected(SimilarityError):
    """The media server refused the request: wrong credentials, unknown user, bad track ids."""


class MediaServerUnreachable(SimilarityError):
    """The media server did not answer; trying again later may help."""

    retryable = True
