"""One exception hierarchy for everything that can go wrong hearing a track.

`retryable` tells a job runner whether trying the same file again could help
(a timeout might; a corrupt file never will).
"""


class AudioError(Exception):
    """Base class: the track cannot be analysed, for the reason in the message."""

    retryable = False


class AudioDecodeError(AudioError):
    """The file is not audio we can decode (corrupt, truncated, unknown format)."""


class EmptyAudioError(AudioDecodeError):
    """The file decodes to no samples at all."""


class SilentAudioError(AudioError):
    """The file decodes but holds only (near) digital silence."""


class AudioTooShortError(AudioError):
    """The audio is shorter than one 3-second analysis patch."""


class AudioTimeoutError(AudioError):
    """Decoding took longer than the configured limit."""

    retryable = True


class ModelError(AudioError):
    """A model file is missing, unreadable, or has unexpected inputs/outputs."""
