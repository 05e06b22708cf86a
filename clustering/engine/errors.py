"""What the clustering engine raises; every error says what was wrong and none is worth retrying."""


class ClusteringEngineError(ValueError):
    """Base of the engine's errors. ``retryable`` is False: the same input fails the same way."""

    retryable = False


class NotEnoughTracksError(ClusteringEngineError):
    """The library (or the part of it given) is too small to split into playlists."""


class InvalidClusteringInputError(ClusteringEngineError):
    """Arrays and label lists that do not fit together (shapes, lengths, unknown labels)."""


class InvalidClusteringConfigError(ClusteringEngineError):
    """A configuration value outside what the engine can work with (empty range, unknown algorithm)."""
