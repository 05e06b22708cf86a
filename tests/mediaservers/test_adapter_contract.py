"""The contract every media server adapter keeps, run against every backend.

Backends (see conftest.py): the local folder, a real MPD, a real Subsonic
server (supysonic), and fakes of Navidrome, Jellyfin, Emby and Lyrion that
serve the same three-album library over real HTTP.
"""

from __future__ import annotations

import time
import uuid

import pytest

from mediaservers.adapters import Capability, MediaServerUser
from mediaservers.errors import (
    CapabilityNotSupported,
    MediaServerAuthError,
    MediaServerUnavailable,
    TrackTooLarge,
)
from tests.mediaservers.conftest import TEST_TIMEOUT_SECONDS
from tests.mediaservers.library import ALBUM_COUNT, TAGGED_ALBUMS, TRACK_COUNT, source_by_title


def album_named(adapter, name):
    return next(album for album in adapter.iter_albums() if album.name == name)


def test_lists_every_album_once(backend):
    albums = list(backend.adapter().iter_albums())

    assert len(albums) == ALBUM_COUNT
    assert len({album.id for album in albums}) == ALBUM_COUNT
    assert set(TAGGED_ALBUMS) <= {album.name for album in albums}


def test_recent_albums_come_newest_first(backend):
    adapter = backend.adapter()

    assert [album.name for album in adapter.iter_albums(recent=2)] == ["First Album", "Second Album"]
    assert [album.name for album in adapter.iter_albums(recent=1)] == ["First Album"]
    assert list(adapter.iter_albums(recent=0)) == []


def test_album_tracks_come_in_order_with_metadata(backend):
    adapter = backend.adapter()
    album = album_named(adapter, "First Album")

    tracks = adapter.album_tracks(album.id)

    assert [track.title for track in tracks] == ["Opening", "Closing"]
    assert album.artist == "Alpha Artist"
    assert album.year == 2001
    for track in tracks:
        assert (track.artist, track.album, track.album_artist, track.year) == (
            "Alpha Artist",
            "First Album",
            "Alpha Artist",
            2001,
        )
        assert track.duration_seconds == pytest.approx(1.0, abs=0.5)
        assert track.path


def test_tracks_carry_one_artist_id_per_artist(backend):
    """The server's own artist ids (a hash of the name where the server has none): similar_artists is asked by them."""
    tracks = [track for track in backend.adapter().iter_tracks() if track.artist]  # untagged: the server decides

    ids_by_artist: dict[str, set] = {}
    for track in tracks:
        assert track.artist_id, f"{track.title} has no artist id"
        ids_by_artist.setdefault(track.artist, set()).add(track.artist_id)
    assert all(len(ids) == 1 for ids in ids_by_artist.values()), ids_by_artist
    assert len({next(iter(ids)) for ids in ids_by_artist.values()}) == len(ids_by_artist)


def test_iter_tracks_lists_the_whole_library(backend):
    adapter = backend.adapter()
    by_album = {track.id for album in adapter.iter_albums() for track in adapter.album_tracks(album.id)}

    listed = list(adapter.iter_tracks())

    assert len(listed) == TRACK_COUNT
    assert {track.id for track in listed} == by_album


def test_downloaded_bytes_equal_the_source_file(backend, tmp_path):
    adapter = backend.adapter()
    for name in TAGGED_ALBUMS:
        for track in adapter.album_tracks(album_named(adapter, name).id):
            with adapter.downloaded(track, dest_dir=tmp_path) as path:
                assert path.read_bytes() == source_by_title(backend.music_dir, track.title).read_bytes()
            assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_download_over_the_cap_leaves_no_file(backend, tmp_path):
    adapter = backend.adapter(max_download_mb=0)
    track = adapter.album_tracks(album_named(adapter, "First Album").id)[0]

    with pytest.raises(TrackTooLarge):
        adapter.download_track(track, dest_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_playlist_is_created_in_order_listed_and_deleted(backend):
    adapter = backend.adapter()
    opening, closing = adapter.album_tracks(album_named(adapter, "First Album").id)
    only_song = adapter.album_tracks(album_named(adapter, "Second Album").id)[0]
    name = f"Contract {uuid.uuid4().hex[:8]}"

    playlist_id = adapter.create_playlist(name, [closing.id, only_song.id, opening.id])
    try:
        assert backend.read_playlist(playlist_id) == [closing.id, only_song.id, opening.id]
        listed = {playlist.id: playlist for playlist in adapter.list_playlists()}
        assert listed[playlist_id].name == name
        assert listed[playlist_id].track_count in (3, None)
    finally:
        adapter.delete_playlist(playlist_id)
    assert playlist_id not in {playlist.id for playlist in adapter.list_playlists()}


def test_delete_playlists_with_suffix_keeps_the_others(backend):
    adapter = backend.adapter()
    track_id = next(adapter.iter_tracks()).id
    tag = uuid.uuid4().hex[:6]
    keep_id = adapter.create_playlist(f"Keep {tag}", [track_id])
    adapter.create_playlist(f"Calm {tag}_automatic", [track_id])
    adapter.create_playlist(f"Loud {tag}_automatic", [track_id])
    try:
        deleted = adapter.delete_playlists_with_suffix(f"{tag}_automatic")

        assert sorted(deleted) == [f"Calm {tag}_automatic", f"Loud {tag}_automatic"]
        assert [p.id for p in adapter.list_playlists() if tag in p.name] == [keep_id]
    finally:
        adapter.delete_playlists_with_suffix(tag)


def test_play_history_or_a_clear_refusal(backend):
    adapter = backend.adapter()
    if Capability.PLAY_HISTORY not in adapter.capabilities:
        with pytest.raises(CapabilityNotSupported) as refused:
            adapter.play_history(limit=5)
        assert refused.value.user_message
        return
    backend.seed_plays({"Opening": 3, "Only Song": 7, "Closing": 1}, None)

    history = adapter.play_history(limit=2)

    assert [(record.title, record.play_count) for record in history] == [("Only Song", 7), ("Opening", 3)]
    if backend.name != "lyrion_fake":  # Lyrion's CLI has no last-played time
        assert all(record.last_played is not None for record in history)


def test_play_history_for_another_user(backend):
    adapter = backend.adapter()
    if Capability.PER_USER_HISTORY not in adapter.capabilities:
        with pytest.raises(CapabilityNotSupported):
            adapter.play_history(limit=1, user=MediaServerUser(username="someone", password="secret"))
        return
    backend.seed_plays({"Closing": 9}, backend.other_user_name)

    history = adapter.play_history(limit=1, user=backend.other_user)

    assert [(record.title, record.play_count) for record in history] == [("Closing", 9)]


def test_wrong_credentials_raise_auth_error_without_the_secret(backend, caplog):
    if backend.bad_credentials is None:
        pytest.skip(f"{backend.name} has no credentials")
    adapter = backend.adapter(**backend.bad_credentials)

    with pytest.raises(MediaServerAuthError) as rejected:
        list(adapter.iter_albums())

    assert "wrong-" not in str(rejected.value) and "wrong-" not in caplog.text
    assert rejected.value.url


def test_unreachable_server_raises_unavailable_within_the_timeout(backend):
    adapter = backend.adapter(**backend.unreachable())
    started = time.monotonic()

    with pytest.raises(MediaServerUnavailable) as failed:
        list(adapter.iter_albums())

    assert failed.value.retryable
    assert time.monotonic() - started < TEST_TIMEOUT_SECONDS


def test_check_reports_libraries_and_albums(backend):
    report = backend.adapter().check()

    assert report["server_type"] == backend.config.server_type
    assert report["album_count"] == ALBUM_COUNT
    assert all(sample["tracks"] >= 1 for sample in report["albums"])
    assert len(report["albums"]) == ALBUM_COUNT
