"""MediaServerConfig: AudioMuse-AI's setting names, a missing one named, secrets kept out of repr."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from mediaservers.adapters import adapter_for
from mediaservers.config import MediaServerConfig
from mediaservers.errors import MediaServerConfigError


def test_from_settings_reads_the_uppercase_names(settings):
    settings.MEDIASERVER_TYPE = "Jellyfin"
    settings.MUSIC_LIBRARIES = "Music, Jazz ,"
    settings.MUSIC_DIR = Path("/srv/music")
    settings.PLAYLIST_DIR = ""
    settings.JELLYFIN_URL = "http://jf:8096/"
    settings.JELLYFIN_USER_ID = "alice"
    settings.JELLYFIN_TOKEN = "tok"
    settings.MPD_PORT = "6601"
    settings.MEDIASERVER_TIMEOUT = "12.5"
    settings.MEDIASERVER_MAX_DOWNLOAD_MB = 64
    settings.TEMP_DIR = Path("/var/tmp/am")

    config = MediaServerConfig.from_settings()

    assert config.server_type == "jellyfin"
    assert config.music_libraries == ("Music", "Jazz")
    assert config.jellyfin_url == "http://jf:8096"
    assert (config.mpd_port, config.timeout_seconds, config.max_download_bytes) == (6601, 12.5, 64 * 1024 * 1024)
    assert config.temp_path == Path("/var/tmp/am")
    assert config.playlist_path == Path("/srv/music/Playlists")


def test_a_setting_missing_from_the_settings_module_fails_naming_it(settings):
    del settings.MPD_PORT

    with pytest.raises(ImproperlyConfigured, match="MPD_PORT"):
        MediaServerConfig.from_settings()


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
