"""GET|POST /api/sonic_fingerprint/generate against a fake Jellyfin speaking Jellyfin's wire format.

The fake serves a synthetic catalogue (six albums of five songs); our
database holds the same tracks under the fake's ids: albums 0-2 sound
alike ("warm"), albums 3-5 sound alike ("cold").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from analysis.models import EMBEDDING_DIMENSIONS, Embedding, Track
from similarity import services
from tests.mediaservers.fakes.catalog import Catalog
from tests.mediaservers.fakes.jellyfin import FakeJellyfin
from tests.mediaservers.fakes.lyrion import FakeLyrion

NOW = datetime.now(tz=UTC)


@pytest.fixture(scope="module")
def jellyfin():
    yield from FakeJellyfin(Catalog.synthetic(albums=6, tracks_per_album=5)).serving()


@pytest.fixture
def served(jellyfin, db, settings):
    """Our library mirrors the fake's, the index is built, and Jellyfin is the configured server."""
    jellyfin.plays = {user.id: {} for user in jellyfin.users.values()}
    jellyfin.serve_as(settings)
    rng = np.random.default_rng(3)
    centres = {"warm": rng.normal(size=EMBEDDING_DIMENSIONS), "cold": rng.normal(size=EMBEDDING_DIMENSIONS)}
    style_of = {}
    for track in jellyfin.catalog.tracks:
        if track.title == "Song 00005-04":
            continue  # played but never analysed
        row = Track.objects.create(
            item_id=jellyfin.track_ids[track.key], title=track.title, author=track.artist, album=track.album
        )
        style = "warm" if track.album_key < 3 else "cold"
        vector = centres[style] + 0.3 * rng.normal(size=EMBEDDING_DIMENSIONS)
        Embedding.objects.create(track=row, vector=vector, model_version="test")
        style_of[row.item_id] = style
    services.vector_index_rebuild()
    return style_of


def item_id(jellyfin, title):
    return jellyfin.track_ids[jellyfin.catalog.track_by_title(title).key]


def generate(client, method="get", **params):
    if method == "get":
        return client.get("/api/sonic_fingerprint/generate", params)
    return client.post("/api/sonic_fingerprint/generate", params, format="json")


def test_seeds_come_first_most_played_first_then_neighbours(token_client, jellyfin, served):
    jellyfin.set_plays("alice", "Song 00000-00", 9, NOW - timedelta(days=1))
    jellyfin.set_plays("alice", "Song 00001-01", 5, NOW - timedelta(days=3))
    jellyfin.set_plays("alice", "Song 00002-02", 2, NOW - timedelta(days=2))
    response = generate(token_client, n=8)
    assert response.status_code == 200
    rows = response.json()
    assert isinstance(rows, list) and len(rows) == 8
    seeds = [item_id(jellyfin, t) for t in ("Song 00000-00", "Song 00001-01", "Song 00002-02")]
    assert [row["item_id"] for row in rows[:3]] == seeds
    assert len({row["item_id"] for row in rows}) == 8
    assert {served[row["item_id"]] for row in rows[3:]} == {"warm"}
    assert {"item_id", "title", "author", "album", "distance"} <= set(rows[0])
    distances = [row["distance"] for row in rows[3:]]
    assert distances == sorted(distances)


def test_recent_plays_weigh_more_than_old_ones(token_client, jellyfin, served):
    # Equal play counts; the warm song was played today, the cold one four months ago.
    jellyfin.set_plays("alice", "Song 00000-01", 4, NOW)
    jellyfin.set_plays("alice", "Song 00004-01", 4, NOW - timedelta(days=120))
    rows = generate(token_client, n=10).json()
    neighbours = [served[row["item_id"]] for row in rows[2:]]
    assert neighbours.count("warm") > neighbours.count("cold")


def test_another_users_own_credentials_read_their_history(token_client, jellyfin, served):
    jellyfin.set_plays("alice", "Song 00000-00", 9, NOW)
    jellyfin.set_plays("bob", "Song 00004-03", 7, NOW)
    body = {"n": 4, "jellyfin_user_identifier": "bob", "jellyfin_token": jellyfin.users["bob"].token}
    rows = generate(token_client, method="post", **body).json()
    assert rows[0]["item_id"] == item_id(jellyfin, "Song 00004-03")
    assert {served[row["item_id"]] for row in rows} == {"cold"}


def test_n_smaller_than_the_seeds_keeps_the_most_played(token_client, jellyfin, served):
    for position, title in enumerate(("Song 00000-00", "Song 00003-00", "Song 00001-00")):
        jellyfin.set_plays("alice", title, 10 - position, NOW)
    rows = generate(token_client, n=2).json()
    assert [row["item_id"] for row in rows] == [item_id(jellyfin, "Song 00000-00"), item_id(jellyfin, "Song 00003-00")]


def test_no_history_or_nothing_analysed_is_a_400_with_a_message(token_client, jellyfin, served):
    response = generate(token_client, n=5)
    assert response.status_code == 400
    assert "no listening history" in response.json()["error"]
    jellyfin.set_plays("alice", "Song 00005-04", 3, NOW)  # never analysed
    response = generate(token_client, n=5)
    assert response.status_code == 400
    assert "analysed" in response.json()["error"]


def test_wrong_user_credentials_are_refused(token_client, jellyfin, served):
    response = generate(token_client, method="post", n=5, jellyfin_user_identifier="nobody", jellyfin_token="x")
    assert response.status_code == 400
    assert "error" in response.json()


def test_a_token_without_a_user_is_400_not_the_configured_users_history(token_client, jellyfin, served):
    jellyfin.set_plays("alice", "Song 00000-00", 9, NOW)
    response = generate(token_client, method="post", n=5, jellyfin_token=jellyfin.users["bob"].token)
    assert response.status_code == 400
    assert "needs the user's id or name" in response.json()["error"]


@pytest.mark.django_db
def test_a_folder_of_files_has_no_play_history(token_client, settings, tmp_path, library):
    settings.MEDIASERVER_TYPE = "local"
    settings.MUSIC_DIR = tmp_path
    response = generate(token_client, n=5)
    assert response.status_code == 400
    assert "play history" in response.json()["error"]


@pytest.mark.django_db
def test_no_index_is_503(token_client, settings, tmp_path):
    settings.MEDIASERVER_TYPE = "local"
    settings.MUSIC_DIR = tmp_path
    assert generate(token_client, n=5).status_code == 503


def test_the_jellyfin_plugin_sends_a_user_name_and_no_token(token_client, jellyfin, served):
    """Its scheduled task asks for every user by name; the server's API key reads their history."""
    jellyfin.set_plays("alice", "Song 00000-00", 9, NOW)
    jellyfin.set_plays("bob", "Song 00004-03", 7, NOW)
    response = token_client.get("/api/sonic_fingerprint/generate?jellyfin_user_identifier=bob")
    assert response.status_code == 200
    rows = response.json()
    assert rows[0]["item_id"] == item_id(jellyfin, "Song 00004-03")
    assert all(len(row["item_id"]) == 32 for row in rows)  # the plugin parses each as a Guid


def test_no_credentials_at_all_mean_the_configured_account(token_client, jellyfin, served):
    """The MusicServer sends a bare GET, the Lyrion plugin only n."""
    jellyfin.set_plays("alice", "Song 00001-02", 4, NOW)
    jellyfin.set_plays("bob", "Song 00004-03", 7, NOW)
    for path in ("/api/sonic_fingerprint/generate", "/api/sonic_fingerprint/generate?n=15"):
        rows = token_client.get(path).json()
        assert rows[0]["item_id"] == item_id(jellyfin, "Song 00001-02")


@pytest.fixture
def lyrion(db, settings):
    fake = FakeLyrion(Catalog.synthetic(albums=2, tracks_per_album=4))
    with fake:
        settings.MEDIASERVER_TYPE, settings.LYRION_URL = "lyrion", fake.url
        rng = np.random.default_rng(8)
        for track in fake.catalog.tracks:
            row = Track.objects.create(item_id=str(fake.track_ids[track.key]), title=track.title, author=track.artist)
            Embedding.objects.create(track=row, vector=rng.normal(size=EMBEDDING_DIMENSIONS), model_version="test")
        services.vector_index_rebuild()
        yield fake
    assert not fake.errors, fake.errors


def test_lyrion_sends_no_credentials_and_gets_the_servers_history(token_client, lyrion):
    lyrion.set_plays("Song 00001-02", 6)
    response = token_client.get("/api/sonic_fingerprint/generate?n=5")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 5 and rows[0]["item_id"] == str(
        lyrion.track_ids[lyrion.catalog.track_by_title("Song 00001-02").key]
    )
