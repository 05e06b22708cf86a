"""MediaServerConfig: AudioMuse-AI's setting names, defaults, secrets kept out of repr."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from mediaservers.adapters import adapter_for
from mediaservers.config import MediaServerConfig
from mediaservers.errors import MediaServerConfigError


def test_from_settings_reads_the_uppercase_names():
    settings = SimpleNamespace(
        MEDIASERVER_TYPE="Jellyfin",
        MUSIC_LIBRARIES="Music, Jazz ,",
        MUSIC_DIR=Path("/srv/music"),
        JELLYFIN_URL="http://jf:8096/",
        JELLYFIN_USER_ID="alice",
        JELLYFIN_TOKEN="tok",
        MPD_PORT="6601",
        MEDIASERVER_TIMEOUT="12.5",
        MEDIASERVER_MAX_DOWNLOAD_MB=64,
        TEMP_DIR=Path("/var/tmp/am"),
    )

    config = MediaServerConfig.from_settings(settings)

    assert config.server_type == "jellyfin"
    assert config.music_libraries == ("Music", "Jazz")
    assert config.jellyfin_url == "http://jf:8096"
    assert (config.mpd_port, config.timeout_seconds, config.max_download_bytes) == (6601, 12.5, 64 * 1024 * 1024)
    assert config.temp_path == Path("/var/tmp/am")
    assert config.playlist_path == Path("/srv/music/Playlists")


def test_missing_settings_take_the_documented_defaults():
    config = MediaServerConfig.from_settings(SimpleNamespace())

    assert config.server_type == "local"
    assert config.music_libraries == ()
    assert (config.mpd_host, config.mpd_port) == ("localhost", 6600)
    assert (config.timeout_seconds, config.max_download_mb) == (30.0, 1024)


def test_repr_masks_every_secret():
    config = MediaServerConfig.build(
        jellyfin_token="jf-secret",
        emby_token="emby-secret",
        navidrome_password="nd-secret",
        mpd_password="mpd-secret",
        lyrion_url="http://lms:lms-secret@host:9000",
    )

    text = repr(config)

    assert "secret" not in text
    assert "lms:***@host:9000" in text


@pytest.mark.parametrize(
    ("server_type", "message"),
    [("plex", "not one of"), ("jellyfin", "URL"), ("navidrome", "NAVIDROME_URL"), ("lyrion", "LYRION_URL")],
)
def test_bad_configuration_is_reported_at_construction(server_type, message):
    with pytest.raises(MediaServerConfigError, match=message):
        adapter_for(MediaServerConfig.build(server_type=server_type))
