"""Errors of the similarity features, mapped to HTTP statuses in one place."""

from rest_framework import status

from audiomuse.api.errors import DOMAIN_ERROR_STATUS


class IndexNotReady(RuntimeError):
    """No vector index has been built yet (run an analysis first)."""


class SimilarityError(Exception):
    """Base class of the request-level errors below; the message is shown to the user."""


class InvalidSimilarityRequest(SimilarityError):
    """The request cannot be answered as asked (missing id, same start and end, no ADD song)."""


class TrackNotFound(SimilarityError):
    """A track id (or title/artist) matches no analysed track."""


class NothingFound(SimilarityError):
    """The request was fine but no track passes the filters."""


class NoPlayHistory(SimilarityError):
    """The media server keeps no listening history, or not for this user, or none is analysed."""


class MediaServerRejected(SimilarityError):
    """The media server refused the request: wrong credentials, unknown user, bad track ids."""


class MediaServerUnreachable(SimilarityError):
    """The media server did not answer; trying again later may help."""

    retryable = True


DOMAIN_ERROR_STATUS[IndexNotReady] = status.HTTP_503_SERVICE_UNAVAILABLE
DOMAIN_ERROR_STATUS[InvalidSimilarityRequest] = status.HTTP_400_BAD_REQUEST
DOMAIN_ERROR_STATUS[TrackNotFound] = status.HTTP_404_NOT_FOUND
DOMAIN_ERROR_STATUS[NothingFound] = status.HTTP_404_NOT_FOUND
DOMAIN_ERROR_STATUS[NoPlayHistory] = status.HTTP_400_BAD_REQUEST
DOMAIN_ERROR_STATUS[MediaServerRejected] = status.HTTP_400_BAD_REQUEST
DOMAIN_ERROR_STATUS[MediaServerUnreachable] = status.HTTP_502_BAD_GATEWAY
