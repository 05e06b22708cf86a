"""Errors of the playlists app. The API maps them to HTTP statuses in ``audiomuse.api.errors``."""


class PlaylistError(Exception):
    """Base class; the message is shown to the user. ``retryable``: may the same request succeed later."""

    retryable = False


class InvalidPlaylist(PlaylistError):
    """The name or the tracks cannot make a playlist (HTTP 400)."""
