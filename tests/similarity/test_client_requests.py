"""The exact requests of the Jellyfin plugin, Navidrome plugin and Lyrion mixer (docs/API.md), parsed as they parse."""

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
