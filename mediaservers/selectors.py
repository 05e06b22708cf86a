"""Reads of the media server configuration."""

from mediaservers.adapters import MediaServerAdapter, adapter_for
from mediaservers.config import MediaServerConfig


def current_adapter() -> MediaServerAdapter:
    """The adapter for the configured media server (MEDIASERVER_TYPE and friends)."""
    return adapter_for(MediaServerConfig.from_settings())
