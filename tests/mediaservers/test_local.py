"""The local folder adapter: ids, tag fallbacks, library folders, .m3u8 playlists."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from mediaservers.adapters import adapter_for, local
from mediaservers.errors import MediaServerNotFound
from tests.mediaservers.conftest import base_config


@pytest.fixture
def library(music_dir, tmp_path):
    """A private copy, so tests may write playlists into MUSIC_DIR/Playlists."""
    return shutil.copytree(music_dir, tmp_path / "music")


def local_adapter(music_dir, **values):
    return adapter_for(base_config(server_type="local", music_dir=music_dir, **values))


def test_ids_are_truncated_sha1_of_the_relative_path_and_stable(library):
    tracks = {track.title: track for track in local_adapter(library).iter_tracks()}
    again = {track.title: track for track in local_adapter(library).iter_tracks()}

    expected = hashlib.sha1(b"Alpha Artist/First Album/01 - Opening.flac").hexdigest()[:16]
    assert tracks["Opening"].id == expected == again["Opening"].id
    assert tracks["Opening"].album_id == again["Opening"].album_id


def test_untagged_files_fall_back_to_folder_and_file_names(library):
    track = next(t for t in local_adapter(library).iter_tracks() if t.title == "untagged tone")

    assert (track.album, track.artist, track.year) == ("Loose Files", "", None)


def test_music_libraries_are_top_level_folders(library):
    adapter = local_adapter(library, music_libraries="Beta Band")

    assert [album.name for album in adapter.iter_albums()] == ["Second Album"]
    with pytest.raises(MediaServerNotFound, match="Gamma"):
        list(local_adapter(library, music_libraries="Gamma").iter_albums())


def test_playlist_is_an_m3u8_with_paths_relative_to_it(library):
    adapter = local_adapter(library)
    opening, closing = sorted(
        (t for t in adapter.iter_tracks() if t.album == "First Album"), key=lambda t: t.title, reverse=True
    )

    playlist_id = adapter.create_playlist("Morning: calm/slow", [opening.id, closing.id])

    written = library / "Playlists" / playlist_id
    assert playlist_id == "Morning_ calm_slow.m3u8"
    assert written.read_text(encoding="utf-8").splitlines() == [
        "#EXTM3U",
        "#EXTINF:1,Alpha Artist - Opening",
        "../Alpha Artist/First Album/01 - Opening.flac",
        "#EXTINF:1,Alpha Artist - Closing",
        "../Alpha Artist/First Album/02 - Closing.flac",
    ]
    assert [p.name for p in (library / "Playlists").iterdir()] == [playlist_id]  # no temporary file left


def test_playlists_folder_is_not_scanned_as_music(library):
    adapter = local_adapter(library)
    adapter.create_playlist("Mix", [next(adapter.iter_tracks()).id])
    (library / "Playlists" / "stray.flac").write_bytes((library / "Loose Files" / "untagged tone.wav").read_bytes())

    assert len(list(local_adapter(library).iter_tracks())) == 4


def test_existing_playlist_of_the_same_name_is_replaced(library):
    adapter = local_adapter(library)
    first, second = [track.id for track in adapter.iter_tracks()][:2]

    adapter.create_playlist("Mix", [first])
    adapter.create_playlist("Mix", [second, first])

    assert [(p.name, p.track_count) for p in adapter.list_playlists()] == [("Mix", 2)]


def test_unknown_track_id_in_a_playlist_is_not_found(library):
    with pytest.raises(MediaServerNotFound):
        local_adapter(library).create_playlist("Mix", ["0" * 16])


def test_a_fresh_adapter_reads_only_the_playlist_tracks_tags(library, monkeypatch):
    wanted = [track for track in local_adapter(library).iter_tracks() if track.album == "First Album"]
    tags_read = []
    original = local._read_tags

    def counting_read_tags(path):
        tags_read.append(path.name)
        return original(path)

    monkeypatch.setattr(local, "_read_tags", counting_read_tags)
    local._read_tags_cached.cache_clear()

    playlist_id = local_adapter(library).create_playlist("Two", [track.id for track in wanted])

    assert sorted(tags_read) == sorted(Path(track.path).name for track in wanted)
    written = (library / "Playlists" / playlist_id).read_text(encoding="utf-8")
    assert f"#EXTINF:1,Alpha Artist - {wanted[0].title}" in written
