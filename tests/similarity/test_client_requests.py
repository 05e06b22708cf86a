"""The exact requests of AudioMuse-AI's clients (docs/API.md), written from their code and parsed as they parse.

The Jellyfin plugin, the Navidrome plugin, the Lyrion mixer and plugin, wavio, the SUB/WAVE importer and
beets. The sonic fingerprint requests (the Jellyfin plugin's user name without a token, the MusicServer's
and the Lyrion plugin's calls without credentials) need a media server with play history: they are
replayed against fake servers in test_fingerprint_api.py.
"""

import pytest


def unwrap_like_lyrion(body):
    """The Lyrion mixer takes a bare array or the list under results / path / query_results."""
    if isinstance(body, list):
        return body
    for key in ("results", "path", "query_results"):
        if isinstance(body.get(key), list):
            return body[key]
    raise AssertionError(f"Lyrion could not unwrap {body!r}")


@pytest.mark.django_db
def test_jellyfin_instant_mix(token_client, library):
    response = token_client.get(f"/api/similar_tracks?item_id={library.ids['rock-2-1']}&n=12")
    assert response.status_code == 200
    ids = [entry["item_id"] for entry in response.json()]  # all the plugin reads
    assert len(ids) == 12 and all(len(item_id) == 32 for item_id in ids)


@pytest.mark.django_db
def test_navidrome_sonic_similar_tracks(token_client, library):
    seed = library.ids["jazz-3-1"]
    response = token_client.get(
        f"/api/similar_tracks?item_id={seed}&n=15&eliminate_duplicates=true&radius_similarity=true"
    )
    assert response.status_code == 200
    songs = response.json()
    assert len(songs) == 15
    for song in songs:
        assert {"item_id", "title", "author", "album", "distance"} <= set(song)
        assert 0.0 <= 1.0 - song["distance"] <= 1.0  # the plugin's similarity score


@pytest.mark.django_db
def test_navidrome_find_sonic_path(token_client, library):
    start, end = library.ids["rock-0-3"], library.ids["electronic-1-3"]
    response = token_client.get(
        f"/api/find_path?start_song_id={start}&end_song_id={end}&count=25&max_steps=25&path_fix_size=false&mood_pct=100"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["path"][0]["item_id"] == start and body["path"][-1]["item_id"] == end
    assert isinstance(body["total_distance"], float)


@pytest.mark.django_db
def test_lyrion_dont_stop_the_music_requests(token_client, library):
    a, b = library.ids["electronic-0-2"], library.ids["electronic-3-0"]
    similar = token_client.get(
        f"/api/similar_tracks?item_id={a}&n=10&eliminate_duplicates=true&radius_similarity=true&mood_similarity=true"
    )
    assert similar.status_code == 200 and unwrap_like_lyrion(similar.json())
    alchemy = token_client.post(
        "/api/alchemy", {"items": [{"id": a, "op": "ADD", "type": "song"}, {"id": b, "op": "ADD", "type": "song"}],
                         "n": 10}, format="json"
    )  # fmt: skip
    assert alchemy.status_code == 200 and len(unwrap_like_lyrion(alchemy.json())) == 10
    path = token_client.get(f"/api/find_path?start_song_id={a}&end_song_id={b}&max_steps=8")
    assert path.status_code == 200 and unwrap_like_lyrion(path.json())


@pytest.mark.django_db
def test_replay_tool_search_and_legacy_lookup(token_client, library):
    tracks = token_client.get("/api/search_tracks", {"search_query": "a", "end": 100}).json()
    assert len(tracks) >= 12
    legacy = token_client.get("/api/search_tracks?title=&artist=" + tracks[0]["author"].replace(" ", "%20"))
    assert legacy.status_code == 200 and isinstance(legacy.json(), list) and legacy.json()


@pytest.mark.django_db
def test_clients_without_the_token_get_401(anonymous_client, library):
    response = anonymous_client.get(f"/api/similar_tracks?item_id={library.ids['rock-2-1']}&n=5")
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized"}
    assert anonymous_client.post("/api/alchemy", {}, format="json").status_code == 401


# -- the newest clients: the library as a whole, servers, lyrics, config ------------------------


def lyrion_decode(response):
    """The Lyrion plugin reads any JSON; one carrying a non-empty ``error`` is a failure whatever the status."""
    body = response.json()
    if isinstance(body, dict) and body.get("error"):
        return None, body["error"]
    return body, None


@pytest.mark.django_db
def test_lyrion_plugin_library_summary_and_lyrics(token_client, library):
    summary, error = lyrion_decode(token_client.get("/api/dashboard/summary"))
    assert error is None and {"content", "workers", "recent_tasks"} <= set(summary)  # its live test's keys
    content = summary["content"]
    assert isinstance(content["distinct_albums"], int) and isinstance(content["distinct_artists"], int)
    assert isinstance(content["clap_indexed"], int)
    top = sorted(content["moods_coverage"], key=lambda mood: -mood["score"])[:3]  # its "top moods" line
    assert [mood["label"] for mood in top] and all(isinstance(mood["score"], int) for mood in top)
    _, error = lyrion_decode(
        token_client.post("/api/lyrics/search/text", {"query": "love", "limit": 25}, format="json")
    )
    assert error and "no lyrics found" not in error.lower()  # shown as the error it is, not as "no match"


@pytest.mark.django_db
def test_wavio_connects_and_probes_its_features(token_client, library):
    """probeFeatures: deployment-wide calls unscoped, then every scoped call carries the chosen server."""
    servers = token_client.get("/api/servers").json()["servers"]
    chosen = [server for server in servers if server["server_id"]]
    assert len(chosen) == 1 and chosen[0]["is_default"] is True and chosen[0]["name"]
    server = chosen[0]["server_id"]
    config = token_client.get("/api/config").json()
    assert isinstance(config["ai_model_provider"], str) and isinstance(config["mood_labels"], list)
    assert config["mood_labels"] and all(isinstance(label, str) for label in config["mood_labels"])
    assert token_client.get("/api/lyrics/stats").json()["lyrics_enabled"] is False  # lyrics search stays hidden
    content = token_client.get("/api/dashboard/summary").json()["content"]
    assert content["total_songs"] > 0 and content["clap_indexed"] == 0  # counts, never null
    defaults = token_client.get("/api/config/defaults", {"server": server}).json()
    assert defaults["server_type"] == "local"  # no per-user credentials for this type
    artists = token_client.get("/api/search_artists", {"query": "a", "start": 0, "end": 1, "server": server})
    assert artists.status_code == 200 and isinstance(artists.json(), list)


@pytest.mark.django_db
def test_wavio_scoped_calls_carry_the_server(token_client, library):
    server = token_client.get("/api/servers").json()["default_id"]
    seed, end = library.ids["rock-1-0"], library.ids["jazz-2-4"]
    similar = token_client.get(
        "/api/similar_tracks",
        {"item_id": seed, "n": 20, "eliminate_duplicates": "true", "radius_similarity": "false", "server": server},
    )
    assert similar.status_code == 200 and [row["item_id"] for row in similar.json() if row["item_id"] != seed]
    path = token_client.get(
        "/api/find_path",
        {"start_song_id": seed, "end_song_id": end, "max_steps": 10, "path_fix_size": "false",
         "path_space": "audio", "mood_pct": 50, "server": server},
    )  # fmt: skip
    assert path.status_code == 200 and path.json()["path"][0]["item_id"] == seed
    found = token_client.get(
        "/api/search_tracks", {"search_query": "rock tune", "start": 0, "end": 10, "server": server}
    )
    assert found.status_code == 200 and all(row["item_id"] for row in found.json())
    lyrics = token_client.post(
        "/api/lyrics/search/text", {"query": "rain", "limit": 50, "server": server}, format="json"
    )
    assert lyrics.status_code == 400  # a refusal, as with lyrics disabled; the app never offers it here


@pytest.mark.django_db
def test_subwave_importer_reads_the_whole_library(token_client, library):
    """import.mjs: pages of 500 without embeddings until has_more is false; provider_type checked on page 1."""
    page, seen = 1, []
    while True:
        response = token_client.get(f"/api/sync?page={page}&limit=500&include_embeddings=false")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
        body = response.json()
        assert isinstance(body["tracks"], list)
        if page == 1:
            assert body["provider_type"].lower() in ("local", "navidrome", "jellyfin")
        for track in body["tracks"]:
            assert track["id"] and float(track["tempo"]) > 0
            assert track["key"] and track["scale"] in ("major", "minor") and isinstance(track["energy"], float)
            labels = dict(part.split(":") for part in track["mood_vector"].split(","))  # "label:score,..."
            assert all(0.0 <= float(score) <= 1.0 for score in labels.values())
            assert all(":" in part for part in track["other_features"].split(","))
        seen += body["tracks"]
        if not body["has_more"]:
            break
        page = body["next_page"] or page + 1
    assert len(seen) == len(library.vectors)


@pytest.mark.django_db
def test_beets_plugin_reads_a_score_row(token_client, library):
    item_id = library.ids["electronic-2-2"]
    data = token_client.get("/external/get_score", {"id": item_id}).json()
    assert float(data["energy"]) == 0.5 and float(data["tempo"]) == 120.0
    assert (data["key"], data["scale"], data["item_id"]) == ("A", "minor", item_id)
    assert data["mood_vector"].startswith("electronic:") and data["other_features"].startswith("danceable:")
