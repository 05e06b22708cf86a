"""Jellyfin/Emby specifics: paging a big library, library filtering, retries, schema honesty."""

from __future__ import annotations

import logging
import math
import time

import pytest

from mediaservers.adapters import adapter_for
from mediaservers.adapters.jellyfin import PAGE_SIZE
from mediaservers.errors import MediaServerError, MediaServerNotFound, MediaServerUnavailable
from tests.mediaservers.conftest import base_config
from tests.mediaservers.fakes.catalog import Catalog
from tests.mediaservers.fakes.jellyfin import FakeJellyfin
from tests.mediaservers.fakes.schemas import SchemaMismatch, check_emby, check_jellyfin

ALBUMS, TRACKS_PER_ALBUM = 5_000, 10


def jellyfin_adapter(fake: FakeJellyfin, **values):
    settings = {"jellyfin_url": fake.url, "jellyfin_user_id": "alice", "jellyfin_token": fake.api_key, **values}
    return adapter_for(base_config(server_type="jellyfin", **settings))


@pytest.fixture(scope="module")
def big_jellyfin():
    # Validating 50,000 items against pydantic models on every page would measure the models, not paging.
    with FakeJellyfin(Catalog.synthetic(albums=ALBUMS, tracks_per_album=TRACKS_PER_ALBUM), validate=False) as fake:
        yield fake


def test_listing_a_50000_track_library_takes_one_request_per_page(big_jellyfin, record_property):
    adapter = jellyfin_adapter(big_jellyfin)
    assert adapter.user_id  # resolve the user name first: one GET /Users
    big_jellyfin.requests.clear()
    started = time.perf_counter()

    album_count = sum(1 for _ in adapter.iter_albums())
    track_count = sum(1 for _ in adapter.iter_tracks())

    elapsed = time.perf_counter() - started
    record_property("jellyfin_50k_listing_seconds", round(elapsed, 3))
    print(f"\nlisted {album_count} albums and {track_count} tracks in {elapsed:.2f}s")
    assert (album_count, track_count) == (ALBUMS, ALBUMS * TRACKS_PER_ALBUM)
    expected_pages = math.ceil(ALBUMS / PAGE_SIZE) + math.ceil(ALBUMS * TRACKS_PER_ALBUM / PAGE_SIZE)
    assert len(big_jellyfin.requests) == expected_pages  # 10 + 100 pages, not 55,000 requests
    assert elapsed < 60


def test_recent_albums_stop_after_the_pages_they_need(big_jellyfin):
    adapter = jellyfin_adapter(big_jellyfin)
    assert adapter.user_id
    big_jellyfin.requests.clear()

    recent = list(adapter.iter_albums(recent=20))

    assert [album.name for album in recent[:2]] == ["Album 04999", "Album 04998"]
    assert len(recent) == 20
    assert len(big_jellyfin.requests) == 1
    assert big_jellyfin.requests[0].param("Limit", ignore_case=True) == "20"


@pytest.fixture
def two_library_fake(music_dir):
    catalog = Catalog.from_music_dir(music_dir)
    for album in catalog.albums:
        album.library = "Music" if album.name in ("First Album", "Second Album") else "Field Recordings"
    with FakeJellyfin(catalog) as fake:
        yield fake


def test_music_libraries_restrict_listing_to_those_views(two_library_fake):
    adapter = jellyfin_adapter(two_library_fake, music_libraries="field recordings")

    assert [album.name for album in adapter.iter_albums()] == ["Loose Files"]
    assert adapter.libraries() == ["Field Recordings"]
    assert adapter.count_albums() == 1


def test_recent_albums_merge_several_libraries_newest_first(two_library_fake):
    adapter = jellyfin_adapter(two_library_fake, music_libraries="Music, Field Recordings")

    assert [album.name for album in adapter.iter_albums(recent=3)] == ["First Album", "Second Album", "Loose Files"]


def test_unknown_library_names_the_available_ones(two_library_fake):
    adapter = jellyfin_adapter(two_library_fake, music_libraries="Jazz")

    with pytest.raises(MediaServerNotFound, match="field recordings"):
        list(adapter.iter_albums())


def test_unknown_user_name_is_reported(jellyfin_fake):
    adapter = jellyfin_adapter(jellyfin_fake, jellyfin_user_id="carol")

    with pytest.raises(MediaServerNotFound, match="carol"):
        list(adapter.iter_albums())


def test_server_errors_are_retried_then_succeed(jellyfin_fake):
    adapter = jellyfin_adapter(jellyfin_fake)
    assert adapter.user_id
    jellyfin_fake.requests.clear()
    jellyfin_fake.fail_next = [503, 502]

    assert len(list(adapter.iter_albums())) == 3
    assert len(jellyfin_fake.requests) == 3


def test_server_errors_become_unavailable_after_three_tries(jellyfin_fake, caplog):
    adapter = jellyfin_adapter(jellyfin_fake)
    assert adapter.user_id
    jellyfin_fake.requests.clear()
    jellyfin_fake.fail_next = [500, 500, 500]

    with caplog.at_level(logging.WARNING, logger="mediaservers"), pytest.raises(MediaServerUnavailable):
        list(adapter.iter_albums())
    assert len(jellyfin_fake.requests) == 3
    assert [r.getMessage() for r in caplog.records].count("mediaserver.request.retry") == 2


def test_playlist_creation_is_not_repeated_after_a_server_error(jellyfin_fake):
    adapter = jellyfin_adapter(jellyfin_fake)
    track_id = next(adapter.iter_tracks()).id
    jellyfin_fake.requests.clear()
    jellyfin_fake.fail_next = [500]

    with pytest.raises(MediaServerError):
        adapter.create_playlist("Never twice", [track_id])
    assert len(jellyfin_fake.requests) == 1  # a retried POST could create two playlists
    assert "Never twice" not in {p.name for p in adapter.list_playlists()}


def test_a_hanging_server_times_out(jellyfin_fake):
    adapter = jellyfin_adapter(jellyfin_fake, timeout_seconds=0.2)
    jellyfin_fake.hang_seconds = 0.5
    started = time.monotonic()
    try:
        with pytest.raises(MediaServerUnavailable, match="no answer before the timeout"):
            adapter.user_id  # noqa: B018 - the lookup is the request under test
    finally:
        jellyfin_fake.hang_seconds = 0
    assert time.monotonic() - started < 3 * 0.2 + 0.75 + 1  # tries x timeout + backoff + slack


def test_token_goes_in_the_header_and_never_in_logs(jellyfin_fake, caplog):
    adapter = jellyfin_adapter(jellyfin_fake)
    with caplog.at_level(logging.DEBUG):
        list(adapter.iter_albums())

    header = jellyfin_fake.requests[-1].header("Authorization")
    assert header.startswith("MediaBrowser ") and f'Token="{jellyfin_fake.api_key}"' in header
    assert jellyfin_fake.api_key not in caplog.text


def test_emby_sends_x_emby_token_under_the_emby_prefix(emby_fake):
    alice = emby_fake.users["alice"]
    config = base_config(
        server_type="emby", emby_url=emby_fake.url, emby_user_id=alice.id, emby_token=emby_fake.api_key
    )
    emby_fake.requests.clear()

    list(adapter_for(config).iter_albums())

    request = emby_fake.requests[-1]
    assert request.path == f"/emby/Users/{alice.id}/Items"
    assert request.header("X-Emby-Token") == emby_fake.api_key


def test_emby_user_name_resolves_through_users_query(emby_fake):
    config = base_config(server_type="emby", emby_url=emby_fake.url, emby_user_id="Alice", emby_token=emby_fake.api_key)

    assert adapter_for(config).user_id == emby_fake.users["alice"].id


def test_fake_jellyfin_rejects_fields_outside_the_spec(jellyfin_fake):
    adapter = jellyfin_adapter(jellyfin_fake)

    with pytest.raises(MediaServerError, match="HTTP 400"):
        adapter._query_items({"IncludeItemTypes": "MusicAlbum", "Fields": "ProductionYear"}, user_id=adapter.user_id)


def test_schema_checks_catch_fields_the_servers_do_not_have():
    with pytest.raises(SchemaMismatch, match="PlayCountTotal"):
        check_jellyfin({"Items": [{"Id": "0" * 32, "PlayCountTotal": 3}]}, "BaseItemDtoQueryResult")
    with pytest.raises(SchemaMismatch, match="ProductionYear"):
        check_jellyfin({"Items": [{"Id": "0" * 32, "ProductionYear": "2001"}]}, "BaseItemDtoQueryResult")
    with pytest.raises(SchemaMismatch, match="PlayCountTotal"):
        check_emby({"Items": [{"Id": "12", "PlayCountTotal": 3}]}, "QueryResultBaseItemDto")


def test_a_body_the_models_reject_never_reaches_the_adapter(music_dir, monkeypatch):
    with FakeJellyfin(Catalog.from_music_dir(music_dir)) as fake:
        honest = fake.album_json
        monkeypatch.setattr(fake, "album_json", lambda *args: {**honest(*args), "Rating": 5})

        with pytest.raises(MediaServerUnavailable):
            list(jellyfin_adapter(fake).iter_albums())
        assert isinstance(fake.errors[0], SchemaMismatch)
