"""``manage.py mediaserver_check`` against a local folder (needs the Django settings)."""

from __future__ import annotations

import io

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(
    not settings.configured, reason="needs Django settings: run under pytest-django (without -p no:django)"
)


def test_check_prints_albums_and_track_counts(music_dir):
    from django.core.management import call_command
    from django.test import override_settings

    output = io.StringIO()
    with override_settings(MEDIASERVER_TYPE="local", MUSIC_DIR=music_dir, MUSIC_LIBRARIES=""):
        call_command("mediaserver_check", stdout=output)

    text = output.getvalue()
    assert f"local at {music_dir}" in text
    assert "Albums:       3" in text
    assert "Alpha Artist - First Album: 2 tracks" in text
    assert "Media server OK" in text


def test_check_fails_with_one_line_when_the_server_is_unreachable(tmp_path):
    from django.core.management import CommandError, call_command
    from django.test import override_settings

    with (
        override_settings(MEDIASERVER_TYPE="local", MUSIC_DIR=tmp_path / "not-mounted"),
        pytest.raises(CommandError, match="not mounted") as failed,
    ):
        call_command("mediaserver_check", stdout=io.StringIO())
    assert "\n" not in str(failed.value)


def test_check_never_prints_the_token(jellyfin_fake):
    from django.core.management import call_command
    from django.test import override_settings

    output = io.StringIO()
    overrides = {
        "MEDIASERVER_TYPE": "jellyfin",
        "JELLYFIN_URL": jellyfin_fake.url,
        "JELLYFIN_USER_ID": "alice",
        "JELLYFIN_TOKEN": jellyfin_fake.api_key,
        "MUSIC_LIBRARIES": "",
    }
    with override_settings(**overrides):
        call_command("mediaserver_check", stdout=output)

    assert f"jellyfin at {jellyfin_fake.url}" in output.getvalue()
    assert jellyfin_fake.api_key not in output.getvalue()
