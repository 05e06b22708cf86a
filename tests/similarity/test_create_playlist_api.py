"""POST /api/create_playlist through the local folder adapter (a real .m3u8) and the fake Jellyfin."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.models import Track
from clustering.models import Playlist, PlaylistOrigin
from mediaservers.adapters.local import stable_id
from tests.mediaservers.fakes.catalog import Catalog
from tests.mediaservers.fakes.jellyfin import FakeJellyfin
from tests.mediaservers.library import SOURCE_TRACKS, write_library


@pytest.fixture
def local_library(db, settings, tmp_path):
    music = write_library(tmp_path / "music")
    settings.MEDIASERVER_TYPE = "local"
    settings.MUSIC_DIR = music
    settings.PLAYLIST_DIR = tmp_path / "playlists"
    ids = {}
    for source in SOURCE_TRACKS:
        track = Track.objects.create(item_id=stable_id(source.relative_path), title=source.title or "untitled")
        ids[source.title] = track.item_id
    return ids


def create(client, body):
    return client.post("/api/create_playlist", body, format="json")


def test_playlist_is_written_by_the_adapter_and_recorded_with_its_origin(token_client, local_library, settings):
    ids = local_library
    body = {
        "playlist_name": "Similar to Opening",
        "track_ids": [ids["Opening"], {"item_id": ids["Only Song"]}, "unknown-id", ids["Opening"]],
        "origin": "similar",
    }
    response = create(token_client, body)
    assert response.status_code == 201
    payload = response.json()
    assert payload == {
        "message": payload["message"],
        "playlist_id": "Similar to Opening.m3u8",
        "mapped": 2,
        "skipped": 2,
    }
    written = (Path(settings.PLAYLIST_DIR) / "Similar to Opening.m3u8").read_text().splitlines()
    paths = [line for line in written if line and not line.startswith("#")]
    assert [Path(p).name for p in paths] == ["01 - Opening.flac", "01 - Only Song.mp3"]
    playlist = Playlist.objects.get()
    assert playlist.name == "Similar to Opening" and playlist.origin == PlaylistOrigin.SIMILAR
    assert playlist.mediaserver_playlist_id == "Similar to Opening.m3u8"
    assert [entry.track.item_id for entry in playlist.entries.order_by("position")] == [
        ids["Opening"],
        ids["Only Song"],
    ]


def test_an_unknown_origin_is_recorded_as_manual(token_client, local_library):
    create(token_client, {"playlist_name": "Mix", "track_ids": [local_library["Closing"]], "origin": "zzz"})
    assert Playlist.objects.get().origin == PlaylistOrigin.MANUAL


@pytest.mark.parametrize(
    "body",
    [
        {"playlist_name": "", "track_ids": ["x"]},
        {"playlist_name": "Nothing known", "track_ids": ["unknown-1", "unknown-2"]},
        {"playlist_name": "No list", "track_ids": "abc"},
        {},
    ],
)
def test_bad_requests_are_400_and_write_nothing(token_client, local_library, body):
    response = create(token_client, body)
    assert response.status_code == 400
    assert set(response.json()) == {"error"}
    assert not Playlist.objects.exists()


def test_playlist_on_jellyfin_uses_its_ids(token_client, db, settings):
    with FakeJellyfin(Catalog.synthetic(albums=1, tracks_per_album=3)) as fake:
        settings.MEDIASERVER_TYPE = "jellyfin"
        settings.JELLYFIN_URL = fake.url
        settings.JELLYFIN_USER_ID = "alice"
        settings.JELLYFIN_TOKEN = fake.api_key
        ids = [fake.track_ids[track.key] for track in fake.catalog.tracks]
        for item_id in ids:
            Track.objects.create(item_id=item_id, title=item_id)
        response = create(token_client, {"playlist_name": "Path mix", "track_ids": ids[::-1], "origin": "path"})
        assert response.status_code == 201
        playlist_id = response.json()["playlist_id"]
        assert fake.playlist_track_ids(playlist_id) == ids[::-1]
        assert Playlist.objects.get().mediaserver_playlist_id == playlist_id
        assert not fake.errors


def test_an_unreachable_server_is_502_and_writes_nothing(token_client, db, settings):
    settings.MEDIASERVER_TYPE = "jellyfin"
    settings.JELLYFIN_URL = "http://127.0.0.1:9"
    settings.JELLYFIN_USER_ID = "0123456789abcdef0123456789abcdef"
    settings.JELLYFIN_TOKEN = "token"
    settings.MEDIASERVER_TIMEOUT = 1.0
    Track.objects.create(item_id="a" * 32, title="x")
    response = create(token_client, {"playlist_name": "Offline", "track_ids": ["a" * 32]})
    assert response.status_code == 502
    assert "error" in response.json()
    assert not Playlist.objects.exists()
