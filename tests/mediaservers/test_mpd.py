"""MPD specifics: capabilities follow the server's configuration, album ids, library folders."""

from __future__ import annotations

import pytest

from mediaservers.adapters import Capability, adapter_for
from mediaservers.adapters.mpd import album_id_for
from mediaservers.errors import CapabilityNotSupported, MediaServerNotFound
from tests.mediaservers import servers
from tests.mediaservers.conftest import base_config


@pytest.fixture(scope="module")
def mpd_without_stickers(music_dir, tmp_path_factory):
    server = servers.start_mpd(tmp_path_factory.mktemp("mpd-plain"), music_dir, stickers=False)
    yield server
    server.stop()


def mpd_adapter(address: str, **values):
    return adapter_for(base_config(server_type="mpd", mpd_host=address, mpd_password=servers.MPD_PASSWORD, **values))


def test_without_a_sticker_database_history_is_refused_with_advice(mpd_without_stickers):
    adapter = mpd_adapter(mpd_without_stickers.address)

    assert Capability.PLAY_HISTORY not in adapter.capabilities
    with pytest.raises(CapabilityNotSupported, match="playCount stickers"):
        adapter.play_history(limit=5)


def test_music_directory_comes_from_mpd_over_the_unix_socket(mpd_backend):
    adapter = mpd_backend.adapter()

    assert Capability.DOWNLOAD in adapter.capabilities
    assert adapter._probe()[1] == str(mpd_backend.music_dir)


def test_album_ids_group_by_album_artist_and_album_or_folder():
    tagged = {"file": "A/B/01.flac", "album": "B", "albumartist": "A", "artist": "X"}
    untagged = {"file": "Loose Files/tone.wav"}

    assert album_id_for(tagged) == album_id_for({**tagged, "file": "A/B/02.flac", "artist": "Y"})
    assert album_id_for(untagged) == album_id_for({"file": "Loose Files/other.wav"})
    assert album_id_for(tagged) != album_id_for(untagged)


def test_music_libraries_are_top_level_folders(mpd_backend):
    adapter = mpd_backend.adapter(music_libraries=("Beta Band",))

    assert [album.name for album in adapter.iter_albums()] == ["Second Album"]


def test_unknown_album_id_is_not_found(mpd_backend):
    with pytest.raises(MediaServerNotFound):
        mpd_backend.adapter().album_tracks("not-an-album-id")
