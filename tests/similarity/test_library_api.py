"""The library as AudioMuse-AI clients read it: dashboard summary, sync export, servers, lyrics refusal,
and the ``server``/``server_id`` selection every call accepts."""

from __future__ import annotations

import base64

import numpy as np
import pytest
import redis

from analysis.models import Track, TrackAnalysis
from mediaservers.selection import configured_server
from similarity import library_summary as summary_module
from similarity.library_sync import MAX_MANIFEST_PAGE_SIZE, MAX_PAGE_SIZE

pytestmark = pytest.mark.django_db

ANALYSED = 63  # 60 style tracks, the copy, the remaster and the accented one; one more is known, not analysed


@pytest.fixture
def summary_cache(settings):
    """The summary cache holds nothing from other tests (the fingerprint would differ anyway; this makes sure)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(summary_module.CACHE_PREFIX + "*"):
        client.delete(key)
    yield client
    client.close()


# -- dashboard ---------------------------------------------------------------------------------


def test_summary_counts_the_analysed_library(token_client, library, summary_cache):
    body = token_client.get("/api/dashboard/summary").json()
    content = body["content"]
    assert content["total_songs"] == content["analysed_songs"] == ANALYSED
    assert content["known_songs"] == ANALYSED + 1
    assert content["distinct_artists"] == 14  # 12 style artists, the reissue label, the accented artist
    assert content["distinct_albums"] == 15  # 12, Greatest Hits, Remasters, Ibiza Sunset
    assert content["clap_indexed"] == 0
    coverage = {entry["label"]: entry["count"] for entry in content["moods_coverage"]}
    assert coverage == {"aggressive": 22, "danceable": 21, "relaxed": 20}  # rock, electronic, jazz
    assert all(entry["score"] == entry["count"] for entry in content["moods_coverage"])
    genres = {entry["label"]: entry["count"] for entry in content["top_genre"]}
    assert genres == {"rock": 22, "electronic": 21, "jazz": 20}
    assert content["tempo_profile"]["fast"] == ANALYSED and content["tempo_profile"]["avg_tempo"] == 120.0
    assert {"generated_at", "stats_updated_at", "recent_tasks", "workers"} <= set(body)


def test_summary_is_cached_until_the_library_changes(token_client, library, summary_cache, monkeypatch):
    first = token_client.get("/api/dashboard/summary").json()
    calls = []
    real = summary_module.library_summary_compute
    monkeypatch.setattr(summary_module, "library_summary_compute", lambda: calls.append(1) or real())
    again = token_client.get("/api/dashboard/summary").json()
    assert calls == [] and again["stats_updated_at"] == first["stats_updated_at"]
    Track.objects.get(item_id=library.ids["rock-0-1"]).delete()
    changed = token_client.get("/api/dashboard/summary").json()
    assert calls == [1] and changed["content"]["total_songs"] == ANALYSED - 1


def test_library_changed_prepares_the_next_summary(library, summary_cache, monkeypatch):
    from analysis.signals import library_changed

    library_changed.send(sender=__name__, reason="analysis")
    monkeypatch.setattr(summary_module, "library_summary_compute", lambda: pytest.fail("computed on request"))
    assert summary_module.library_summary()["content"]["total_songs"] == ANALYSED


def test_summary_without_redis_is_computed(token_client, library, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert token_client.get("/api/dashboard/summary").json()["content"]["total_songs"] == ANALYSED


# -- sync ----------------------------------------------------------------------------------------


def test_sync_pages_through_every_analysed_track_in_id_order(token_client, library):
    seen, page = [], 1
    while page:
        body = token_client.get("/api/sync", {"page": page, "limit": 25, "include_embeddings": "false"}).json()
        assert body["total_tracks"] == ANALYSED and body["provider_type"] == "local"
        seen += [track["id"] for track in body["tracks"]]
        assert body["has_more"] == (body["next_page"] is not None)
        page = body["next_page"]
    assert seen == sorted(library.vectors) and len(seen) == ANALYSED
    assert "embedding" not in body["tracks"][0]


def test_sync_rows_carry_the_analysis_and_the_embedding(token_client, library):
    item_id = library.ids["jazz-1-2"]
    body = token_client.get("/api/sync", {"ids": f"{item_id},unknown-id"}).json()
    assert body["total_tracks"] == 1 and body["has_more"] is False and body["next_page"] is None
    row = body["tracks"][0]
    assert row["id"] == item_id and row["artist"] == "Jazz Artist 1" and row["album"] == "Jazz Album 1"
    assert (row["tempo"], row["key"], row["scale"], row["energy"]) == (120.0, "A", "minor", 0.5)
    assert row["mood_vector"].startswith("jazz:0.546,pop:0.520")
    assert row["other_features"].startswith("danceable:0.20,aggressive:0.10")
    vector = np.frombuffer(base64.b64decode(row["embedding"]), dtype="<f4")
    np.testing.assert_allclose(vector, library.vectors[item_id], rtol=1e-6)


def test_sync_index_fingerprints_change_with_the_analysis(token_client, library):
    item_id = library.ids["rock-1-1"]
    before = {row["id"]: row["fp"] for row in token_client.get("/api/sync?fields=index").json()["tracks"]}
    assert len(before) == ANALYSED and set(before) == set(library.vectors)
    TrackAnalysis.objects.filter(track__item_id=item_id).update(tempo=97.0)
    after = {row["id"]: row["fp"] for row in token_client.get("/api/sync?fields=index").json()["tracks"]}
    assert {key for key in before if before[key] != after[key]} == {item_id}


@pytest.mark.parametrize(
    ("query", "expected"),
    [("limit=1000000000", MAX_PAGE_SIZE), ("fields=index&limit=1000000000", MAX_MANIFEST_PAGE_SIZE), ("limit=-3", 1)],
)
def test_sync_limit_is_clamped(token_client, library, query, expected, monkeypatch):
    from similarity import library_sync

    asked = []
    real = library_sync.sync_page
    monkeypatch.setattr(
        "similarity.api_library.sync_page", lambda request, **kw: asked.append(request) or real(request, **kw)
    )
    assert token_client.get(f"/api/sync?{query}&include_embeddings=false").status_code == 200
    assert asked[0].limit == expected


def test_sync_far_pages_are_empty_not_errors(token_client, library):
    body = token_client.get("/api/sync?page=1000000000000000000000&limit=500").json()
    assert body["tracks"] == [] and body["has_more"] is False


def test_sync_needs_a_token_unless_allowed(anonymous_client, library, settings):
    assert anonymous_client.get("/api/sync").status_code == 401
    settings.SYNC_WITHOUT_TOKEN = True
    assert anonymous_client.get("/api/sync?limit=2").json()["total_tracks"] == ANALYSED
    assert anonymous_client.get("/api/dashboard/summary").status_code == 401  # only the sync export opens


# -- servers and the server selection -----------------------------------------------------------


def test_servers_lists_the_configured_server_with_a_stable_id(token_client, settings):
    body = token_client.get("/api/servers").json()
    (server,) = body["servers"]
    assert server["server_id"] == body["default_id"] == token_client.get("/api/servers").json()["default_id"]
    assert (server["server_type"], server["is_default"]) == ("local", True)
    settings.MEDIASERVER_TYPE, settings.JELLYFIN_URL = "jellyfin", "http://jf:8096"
    moved = token_client.get("/api/servers").json()["servers"][0]
    assert moved["server_id"] != server["server_id"] and moved["name"] == "Jellyfin"
    assert "creds" not in moved and "token" not in str(moved).lower()


def test_config_defaults_name_the_account_never_a_secret(token_client, settings):
    assert token_client.get("/api/config/defaults").json() == {"server_type": "local"}
    settings.MEDIASERVER_TYPE, settings.JELLYFIN_USER_ID, settings.JELLYFIN_TOKEN = "jellyfin", "alice", "s3cret"
    assert token_client.get("/api/config/defaults").json() == {"server_type": "jellyfin", "default_user_id": "alice"}
    settings.MEDIASERVER_TYPE, settings.NAVIDROME_USER, settings.NAVIDROME_PASSWORD = "navidrome", "bob", "pw"
    assert token_client.get("/api/config/defaults").json() == {"server_type": "navidrome", "default_user": "bob"}


def test_every_call_accepts_the_server_by_id_or_name(token_client, library):
    server = configured_server()
    seed = library.ids["rock-2-1"]
    for selection in (server.server_id, server.name.upper()):
        assert token_client.get(f"/api/similar_tracks?item_id={seed}&n=3&server={selection}").status_code == 200
        assert token_client.get(f"/api/config/defaults?server_id={selection}").status_code == 200
        body = {"items": [{"id": seed, "op": "ADD"}], "n": 3, "server": selection}
        assert token_client.post("/api/alchemy", body, format="json").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/similar_tracks?item_id=x&server=elsewhere", None),
        ("get", "/api/sync?server_id=elsewhere", None),
        ("get", "/api/config/defaults?server=elsewhere", None),
        ("get", "/api/search_tracks?search_query=a&server=elsewhere", None),
        ("post", "/api/alchemy", {"items": [{"id": "x"}], "server": "elsewhere"}),
        ("post", "/api/sonic_fingerprint/generate", {"n": 5, "server": ["a", "list"]}),
        ("post", "/api/lyrics/search/text", {"query": "love", "server_id": 7}),
    ],
)
def test_an_unknown_server_is_a_400(token_client, library, method, path, body):
    response = getattr(token_client, method)(path, body, format="json") if body else token_client.get(path)
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid server selection."}


def test_without_a_token_the_401_comes_first(anonymous_client):
    assert anonymous_client.get("/api/similar_tracks?item_id=x&server=elsewhere").status_code == 401


# -- lyrics --------------------------------------------------------------------------------------


def test_lyrics_search_is_refused_the_way_clients_expect(token_client):
    response = token_client.post("/api/lyrics/search/text", {"query": "love", "limit": 25}, format="json")
    assert response.status_code == 400
    assert response.json()["results"] == [] and "lyrics" in response.json()["error"].lower()
    assert token_client.get("/api/lyrics/stats").json()["lyrics_enabled"] is False


def test_lyrics_search_with_a_body_that_is_not_json_is_a_400(token_client):
    response = token_client.post("/api/lyrics/search/text", "not json", content_type="application/json")
    assert response.status_code == 400 and "error" in response.json()


def test_summary_lists_the_latest_tasks_live(token_client, library, summary_cache):
    from scheduling.models import TaskState, TaskStatus

    main = TaskStatus.objects.create(task_id="main-1", task_type="main_analysis", status=TaskState.SUCCESS)
    TaskStatus.objects.create(task_id="child-1", task_type="album_analysis", parent=main)
    tasks = token_client.get("/api/dashboard/summary").json()["recent_tasks"]
    assert [(task["task_id"], task["status"]) for task in tasks] == [("main-1", "SUCCESS")]
