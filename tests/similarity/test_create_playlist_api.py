"""POST /api/create_playlist through the local folder adapter (a real .m3u8) and the fake Jellyfin,
Emby and Navidrome (their wire formats), with and without someone's own ``user_creds``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import DatabaseError
from rest_framework.test import APIClient

from analysis.models import Track
from mediaservers.adapters.local import stable_id
from mediaservers.selectors import current_adapter
from playlists.models import Playlist, PlaylistEntry, PlaylistOrigin
from scheduling.models import TaskStatus
from tests.factories import PlaylistEntryFactory, PlaylistFactory, TaskStatusFactory
from tests.mediaservers.fakes.catalog import Catalog
from tests.mediaservers.fakes.jellyfin import FakeEmby, FakeJellyfin
from tests.mediaservers.fakes.navidrome import FakeNavidrome
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


def test_playlist_is_written_by_the_adapter_and_recorded_as_manual(token_client, local_library, settings):
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
    assert playlist.name == "Similar to Opening" and playlist.origin == PlaylistOrigin.MANUAL
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


@pytest.mark.parametrize("user_creds", ["bob:secret", ["bob", "secret"], {"user": "bob", "password": 1234}])
def test_malformed_user_creds_are_400_and_write_nothing(token_client, local_library, settings, user_creds):
    body = {"playlist_name": "Mine", "track_ids": [local_library["Opening"]], "user_creds": user_creds}
    response = create(token_client, body)
    assert response.status_code == 400
    assert "must be" in response.json()["error"] and "strings" in response.json()["error"]
    assert not Playlist.objects.exists()
    assert not Path(settings.PLAYLIST_DIR).exists()


def test_a_name_too_long_to_record_is_400_before_the_server_is_touched(token_client, local_library, settings):
    body = {"playlist_name": "x" * 256, "track_ids": [local_library["Opening"]]}
    response = create(token_client, body)
    assert response.status_code == 400
    assert "longer than 255" in response.json()["error"]
    assert not Playlist.objects.exists()
    assert not Path(settings.PLAYLIST_DIR).exists()


def test_a_folder_has_no_playlist_owners_so_user_creds_are_ignored(token_client, local_library, settings):
    body = {"playlist_name": "Mine", "track_ids": [local_library["Opening"]], "user_creds": {"user": "bob"}}
    response = create(token_client, body)
    assert response.status_code == 201
    assert (Path(settings.PLAYLIST_DIR) / "Mine.m3u8").is_file()


def test_playlist_on_jellyfin_uses_its_ids(token_client, db, settings):
    with FakeJellyfin(Catalog.synthetic(albums=1, tracks_per_album=3)) as fake:
        fake.serve_as(settings)
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


# -- someone's own credentials on servers whose playlists belong to users --------------------------


@pytest.fixture(scope="module")
def jellyfin():
    yield from FakeJellyfin(Catalog.synthetic(albums=1, tracks_per_album=3)).serving()


@pytest.fixture
def on_jellyfin(jellyfin, db, settings) -> list[str]:
    """Jellyfin is the server, configured as alice with the admin API key; returns the track ids."""
    jellyfin.serve_as(settings)
    return known_tracks(jellyfin)


def known_tracks(fake) -> list[str]:
    ids = [fake.track_ids[track.key] for track in fake.catalog.tracks]
    for item_id in ids:
        Track.objects.get_or_create(item_id=item_id, defaults={"title": item_id})
    return ids


def jellyfin_owner(fake, response) -> str:
    owner_id = fake.playlists[response.json()["playlist_id"]].owner_id
    return next(user.name for user in fake.users.values() if user.id == owner_id)


@pytest.mark.parametrize(
    "user_creds_for",
    [
        lambda fake: {"user_identifier": "bob", "token": "bob-token"},
        lambda fake: {"jellyfin_user_identifier": "bob", "jellyfin_token": "bob-token"},
        lambda fake: {"user_identifier": fake.users["bob"].id, "token": ""},
    ],
    ids=["AudioMuse-AI page: name and own token", "fingerprint names", "id alone: the server's key acts for bob"],
)
def test_jellyfin_playlist_belongs_to_the_user_in_user_creds(token_client, jellyfin, on_jellyfin, user_creds_for):
    body = {"playlist_name": "Bob's mix", "track_ids": on_jellyfin, "user_creds": user_creds_for(jellyfin)}
    response = create(token_client, body)
    assert response.status_code == 201, response.json()
    assert jellyfin_owner(jellyfin, response) == "bob"
    assert jellyfin.playlist_track_ids(response.json()["playlist_id"]) == on_jellyfin


@pytest.mark.parametrize("user_creds", [None, {}, {"user_identifier": "", "token": ""}])
def test_jellyfin_without_user_creds_the_configured_user_owns_it(token_client, jellyfin, on_jellyfin, user_creds):
    body = {"playlist_name": "Shared mix", "track_ids": on_jellyfin, "user_creds": user_creds}
    response = create(token_client, body)
    assert response.status_code == 201
    assert jellyfin_owner(jellyfin, response) == "alice"


@pytest.mark.parametrize(
    ("user_creds", "message"),
    [
        ({"user_identifier": "bob", "token": "stolen-token"}, "rejected the credentials"),
        ({"user_identifier": "alice", "token": "bob-token"}, "rejected the credentials"),  # bob is no admin
        ({"user_identifier": "nobody", "token": ""}, "no user named 'nobody'"),
        ({"token": "bob-token"}, "needs the user's id or name"),
    ],
)
def test_jellyfin_refused_user_creds_are_400_and_write_nothing(
    token_client, jellyfin, on_jellyfin, user_creds, message
):
    playlists_before = set(jellyfin.playlists)
    response = create(token_client, {"playlist_name": "Never", "track_ids": on_jellyfin, "user_creds": user_creds})
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert "stolen-token" not in response.json()["error"]
    assert set(jellyfin.playlists) == playlists_before
    assert not Playlist.objects.exists()


def test_emby_playlist_belongs_to_the_user_in_user_creds(token_client, db, settings):
    with FakeEmby(Catalog.synthetic(albums=1, tracks_per_album=2)) as emby:
        emby.serve_as(settings, user=emby.users["alice"].id)
        ids = known_tracks(emby)
        bob = emby.users["bob"]
        body = {
            "playlist_name": "Bob's",
            "track_ids": ids,
            "user_creds": {"user_identifier": bob.id, "token": bob.token},
        }
        response = create(token_client, body)
        assert response.status_code == 201
        assert emby.playlists[response.json()["playlist_id"]].owner_id == bob.id
        assert not emby.errors


@pytest.fixture(scope="module")
def navidrome():
    yield from FakeNavidrome(Catalog.synthetic(albums=1, tracks_per_album=3)).serving()


@pytest.fixture
def on_navidrome(navidrome, db, settings) -> list[str]:
    """Navidrome is the server, configured as alice; returns the track ids."""
    navidrome.serve_as(settings)
    return known_tracks(navidrome)


@pytest.mark.parametrize(
    ("user_creds", "owner"),
    [
        ({"user": "bob", "password": "bob-pass"}, "bob"),  # AudioMuse-AI's page
        ({"navidrome_user": "bob", "navidrome_password": "bob-pass"}, "bob"),  # the fingerprint's names
        ({"user": "alice", "password": ""}, "alice"),  # the prefilled configured user, password left empty
        (None, "alice"),
    ],
)
def test_navidrome_playlist_belongs_to_the_user_in_user_creds(token_client, navidrome, on_navidrome, user_creds, owner):
    body = {"playlist_name": "Mix", "track_ids": on_navidrome, "user_creds": user_creds}
    response = create(token_client, body)
    assert response.status_code == 201, response.json()
    playlist = navidrome.playlists[response.json()["playlist_id"]]
    assert playlist["owner"] == owner
    assert playlist["songs"] == on_navidrome


@pytest.mark.parametrize(
    ("user_creds", "message"),
    [
        ({"user": "bob", "password": "wrong-pass"}, "rejected the credentials"),
        ({"user": "bob", "password": ""}, "needs the user's name and password"),
        ({"user_identifier": "bob", "token": "bob-token"}, "needs the user's name and password"),
    ],
)
def test_navidrome_refused_user_creds_are_400_and_write_nothing(
    token_client, navidrome, on_navidrome, user_creds, message
):
    playlists_before = set(navidrome.playlists)
    response = create(token_client, {"playlist_name": "Never", "track_ids": on_navidrome, "user_creds": user_creds})
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert "wrong-pass" not in response.json()["error"]
    assert set(navidrome.playlists) == playlists_before
    assert not Playlist.objects.exists()


# -- origin and names are the server's to decide ------------------------------------------------------


def clustering_playlist(name: str, item_ids: list[str]) -> Playlist:
    """A playlist of a finished clustering run, written to the folder and recorded as clustering does."""
    run = TaskStatusFactory(task_type="main_clustering")
    with current_adapter() as adapter:
        server_id = adapter.create_playlist(name, item_ids)
    playlist = Playlist.objects.create(name=name, origin=PlaylistOrigin.CLUSTERING, task=run,
                                       mediaserver_playlist_id=server_id)  # fmt: skip
    for position, item_id in enumerate(item_ids):
        PlaylistEntry.objects.create(playlist=playlist, track=Track.objects.get(item_id=item_id), position=position)
    return playlist


def playlist_paths(settings, name: str) -> list[str]:
    lines = (Path(settings.PLAYLIST_DIR) / f"{name}.m3u8").read_text().splitlines()
    return [Path(line).name for line in lines if line and not line.startswith("#")]


def test_a_listener_cannot_claim_the_clustering_origin(user_client, local_library):
    ids = list(local_library.values())
    clustering_playlist("Rock_Fast_automatic", ids[:3])
    body = {"playlist_name": "x", "track_ids": ids[:1], "origin": "clustering"}
    assert create(user_client, body).status_code == 201
    assert Playlist.objects.get(name="x").origin == PlaylistOrigin.MANUAL
    assert list(user_client.get("/api/playlists").json()) == ["Rock_Fast_automatic"]


def test_playlists_lists_the_latest_run_even_when_an_older_run_wrote_the_newest_row(user_client, local_library):
    ids = list(local_library.values())
    older_run, newer_run = (
        TaskStatusFactory(task_type="main_clustering"),
        TaskStatusFactory(task_type="main_clustering"),
    )
    TaskStatus.objects.filter(pk=older_run.pk).update(created_at=newer_run.created_at - timedelta(hours=1))
    fresh = PlaylistFactory(name="Fresh_automatic", origin=PlaylistOrigin.CLUSTERING, task=newer_run)
    PlaylistEntryFactory(playlist=fresh, track=Track.objects.get(item_id=ids[0]), position=0)
    PlaylistFactory(name="Stale_automatic", origin=PlaylistOrigin.CLUSTERING, task=older_run)  # written last
    assert list(user_client.get("/api/playlists").json()) == ["Fresh_automatic"]


@pytest.mark.parametrize("name", ["Ambient_Medium_automatic", "Ambient_Medium_AUTOMATIC", "Ambient_Medium:automatic",
                                  "Ambient/Medium_automatic ", "x_automatic"])  # fmt: skip
def test_a_manual_playlist_cannot_take_a_clustering_name(token_client, local_library, settings, name):
    ids = list(local_library.values())
    clustering_playlist("Ambient_Medium_automatic", ids[:4])
    response = create(token_client, {"playlist_name": name, "track_ids": ids[:2]})
    assert response.status_code == 400
    assert "reserved for clustering" in response.json()["error"]
    assert len(playlist_paths(settings, "Ambient_Medium_automatic")) == 4
    assert Playlist.objects.count() == 1


def test_the_same_name_twice_replaces_the_playlist_in_place(token_client, local_library, settings):
    ids = list(local_library.values())
    assert create(token_client, {"playlist_name": "Mix", "track_ids": ids[:3]}).status_code == 201
    response = create(token_client, {"playlist_name": "Mix", "track_ids": ids[2:4]})
    assert response.status_code == 201
    playlist = Playlist.objects.get()
    assert [entry.track.item_id for entry in playlist.entries.order_by("position")] == ids[2:4]
    assert len(playlist_paths(settings, "Mix")) == 2
    assert sorted(path.name for path in Path(settings.PLAYLIST_DIR).iterdir()) == ["Mix.m3u8"]


def test_two_names_for_one_file_leave_one_row(token_client, local_library, settings):
    ids = list(local_library.values())
    create(token_client, {"playlist_name": "Rock/Pop", "track_ids": ids[:3]})
    create(token_client, {"playlist_name": "Rock_Pop", "track_ids": ids[2:4]})
    assert list(Playlist.objects.values_list("name", flat=True)) == ["Rock_Pop"]
    assert len(playlist_paths(settings, "Rock_Pop")) == 2


@pytest.mark.parametrize("name", ["Line\nbreak", "Carriage\rreturn", "Tab\there", "Nul\x00"])
def test_control_characters_in_a_name_are_400_and_write_nothing(token_client, local_library, settings, name):
    response = create(token_client, {"playlist_name": name, "track_ids": list(local_library.values())[:1]})
    assert response.status_code == 400
    assert not Playlist.objects.exists()
    assert not Path(settings.PLAYLIST_DIR).exists()


def test_a_row_that_cannot_be_written_leaves_no_file(token_client, local_library, settings, monkeypatch):
    def broken_bulk_create(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(PlaylistEntry.objects, "bulk_create", broken_bulk_create)
    client_errors = APIClient(raise_request_exception=False)
    client_errors.credentials(**token_client._credentials)
    response = create(client_errors, {"playlist_name": "Doomed", "track_ids": list(local_library.values())[:2]})
    assert response.status_code == 500
    assert not Playlist.objects.exists()
    assert list(Path(settings.PLAYLIST_DIR).iterdir()) == []


def test_jellyfin_same_name_twice_leaves_one_playlist_and_one_row(token_client, jellyfin, on_jellyfin):
    first = create(token_client, {"playlist_name": "Twice", "track_ids": on_jellyfin[:2]}).json()["playlist_id"]
    second = create(token_client, {"playlist_name": "Twice", "track_ids": on_jellyfin[2:]}).json()["playlist_id"]
    assert Playlist.objects.get(name="Twice").mediaserver_playlist_id == second
    assert first not in jellyfin.playlists
    assert jellyfin.playlist_track_ids(second) == on_jellyfin[2:]


def test_on_jellyfin_two_owners_may_use_one_name(token_client, jellyfin, on_jellyfin):
    bob = {"user_identifier": "bob", "token": "bob-token"}
    create(token_client, {"playlist_name": "Same", "track_ids": on_jellyfin})
    create(token_client, {"playlist_name": "Same", "track_ids": on_jellyfin, "user_creds": bob})
    assert sorted(Playlist.objects.values_list("owner", flat=True)) == ["", "bob"]
