"""Errors of the similarity features, mapped to HTTP statuses in one place."""

from rest_framework import status

from audiomuse.api.errors import DOMAIN_ERROR_STATUS


class IndexNotReady(RuntimeError):
    """No vector index has been built yet (run an analysis first)."""


DOMAIN_ERROR_STATUS[IndexNotReady] = status.HTTP_503_SERVICE_UNAVAILABLE
