"""Navidrome/Subsonic specifics: token auth, the legacy fallback, envelopes, play history bounds."""

from __future__ import annotations

import hashlib
import logging

import pytest

from mediaservers.adapters import Capability, adapter_for
from mediaservers.errors import CapabilityNotSupported, MediaServerNotFound
from tests.mediaservers import servers
from tests.mediaservers.conftest import base_config, minutes_ago
from tests.mediaservers.fakes.catalog import Catalog
from tests.mediaservers.fakes.navidrome import FakeNavidrome


def navidrome_adapter(url: str, user: str = "alice", password: str = "alice-pass"):
    config = base_config(server_type="navidrome", navidrome_url=url, navidrome_user=user, navidrome_password=password)
    return adapter_for(config)


def test_token_auth_sends_a_fresh_salted_md5_and_never_the_password(navidrome_fake):
    navidrome_fake.requests.clear()

    list(navidrome_adapter(navidrome_fake.url).iter_albums())

    salts = set()
    for request in navidrome_fake.requests:
        salt = request.param("s")
        assert request.param("t") == hashlib.md5(f"alice-pass{salt}".encode()).hexdigest()
        assert request.param("p") is None
        assert (request.param("v"), request.param("c"), request.param("f")) == ("1.16.1", "AudioMuse", "json")
        salts.add(salt)
    assert len(salts) == len(navidrome_fake.requests)


def test_servers_without_token_auth_get_the_hex_encoded_password(music_dir, caplog):
    with FakeNavidrome(Catalog.from_music_dir(music_dir), token_auth=False) as fake:
        with caplog.at_level(logging.DEBUG):
            albums = list(navidrome_adapter(fake.url).iter_albums())

        assert len(albums) == 3
        assert fake.requests[-1].param("p") == "enc:" + b"alice-pass".hex()
        assert "mediaserver.subsonic.legacy_auth" in caplog.text
        assert b"alice-pass".hex() not in caplog.text and "alice-pass" not in caplog.text


def test_subsonic_secrets_stay_out_of_debug_logs(navidrome_fake, caplog):
    with caplog.at_level(logging.DEBUG):
        list(navidrome_adapter(navidrome_fake.url).iter_albums())

    request = navidrome_fake.requests[-1]
    assert "GET /rest/getAlbumList2" in caplog.text  # urllib3 did log the request line...
    assert request.param("t") not in caplog.text and request.param("s") not in caplog.text  # ...masked


def test_error_envelope_code_70_is_not_found(navidrome_fake):
    with pytest.raises(MediaServerNotFound):
        navidrome_adapter(navidrome_fake.url).album_tracks("no-such-album")


def test_download_of_a_missing_song_reads_the_error_envelope(navidrome_fake, tmp_path):
    adapter = navidrome_adapter(navidrome_fake.url)
    track = next(adapter.iter_tracks())
    missing = type(track)(**{**track.__dict__, "id": "no-such-song"})

    with pytest.raises(MediaServerNotFound):
        adapter.download_track(missing, dest_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_play_history_reads_only_the_albums_it_needs(music_dir):
    catalog = Catalog.synthetic(albums=30, tracks_per_album=5)
    with FakeNavidrome(catalog) as fake:
        fake.set_plays("alice", "Song 00003-01", 40, minutes_ago(1))
        fake.set_plays("alice", "Song 00007-02", 25, minutes_ago(2))
        fake.set_plays("alice", "Song 00007-04", 2, minutes_ago(3))
        fake.set_plays("alice", "Song 00011-00", 1, minutes_ago(4))
        fake.requests.clear()

        history = navidrome_adapter(fake.url).play_history(limit=2)

        assert [(r.title, r.play_count) for r in history] == [("Song 00003-01", 40), ("Song 00007-02", 25)]
        album_reads = [r for r in fake.requests if r.path == "/rest/getAlbum"]
        assert len(album_reads) == 2  # album 11 (1 play) cannot beat 25, so it is never opened


def test_supysonic_reports_why_there_is_no_history(supysonic_backend):
    adapter = supysonic_backend.adapter()

    assert Capability.PLAY_HISTORY not in adapter.capabilities
    with pytest.raises(CapabilityNotSupported, match="per-user play counts"):
        adapter.play_history(limit=10)


def test_supysonic_is_reached_with_the_legacy_password_form(supysonic_backend):
    adapter = supysonic_backend.adapter()
    adapter.capabilities  # noqa: B018 - the ping settles the auth mode

    assert adapter._legacy_auth
    assert adapter._auth_params()[-1] == ("p", "enc:" + servers.SUPYSONIC_PASSWORD.encode().hex())
