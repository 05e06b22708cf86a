"""The similar-artist requests of the Navidrome plugin, the Jellyfin plugin, the Lyrion plugin and wavio,
as their code sends them, and the fields each one reads."""

from urllib.parse import quote

import pytest

from tests.similarity.conftest import artist_id_of

pytestmark = pytest.mark.django_db

SEED = "Jazz Artist 2"


def read_like_navidrome(body) -> list[dict]:
    """The plugin decodes [{artist, artist_id, component_matches: [{artist1_/artist2_representative_songs}]}]."""
    assert isinstance(body, list)
    for entry in body:
        assert isinstance(entry["artist"], str) and isinstance(entry["artist_id"], str)
        for match in entry.get("component_matches") or []:
            for side in ("artist1_representative_songs", "artist2_representative_songs"):
                assert all(isinstance(song["item_id"], str) and isinstance(song["title"], str) for song in match[side])
    return body


@pytest.fixture(autouse=True)
def models_fitted(fitted_models):
    """The worker has fitted the artist model after the library's index rebuild, as in production."""
    return fitted_models


def test_navidrome_artist_page_asks_by_navidromes_artist_id(token_client, library):
    # Artist info: artist=<Navidrome's artist id>, n from the plugin settings, no component matches.
    response = token_client.get(f"/api/similar_artists?artist={artist_id_of(SEED)}&include_component_matches=false&n=5")

    assert response.status_code == 200
    artists = read_like_navidrome(response.json())
    assert len(artists) == 5 and SEED not in [entry["artist"] for entry in artists]
    # The plugin looks the ids up in Navidrome: they are the server's own artist ids.
    assert all(entry["artist_id"] == artist_id_of(entry["artist"]) for entry in artists)


def test_navidrome_artist_radio_reads_the_representative_songs(token_client, library):
    response = token_client.get(f"/api/similar_artists?artist={artist_id_of(SEED)}&include_component_matches=true&n=3")

    assert response.status_code == 200
    artists = read_like_navidrome(response.json())
    songs = [
        song["item_id"]
        for entry in artists
        for match in entry["component_matches"]
        for song in match["artist2_representative_songs"]
    ]
    assert songs and all(library.artist_of[item_id] != SEED for item_id in songs)


def test_navidrome_unknown_artist_is_an_error_status_the_plugin_logs(token_client, library):
    response = token_client.get(
        "/api/similar_artists?artist=00000000-not-an-artist&include_component_matches=false&n=10"
    )

    assert response.status_code == 404 and "error" in response.json()


def test_jellyfin_plugin_proxy_prefers_artist_id_and_forwards_every_parameter(token_client, library):
    # The proxy always sends n (0 when its caller gave none) and lower-cased booleans.
    by_id = token_client.get(
        f"/api/similar_artists?n=4&artist_id={artist_id_of(SEED)}&ef_search=50&include_component_matches=true"
    )
    by_name = token_client.get(f"/api/similar_artists?n=0&artist={quote(SEED)}")

    assert by_id.status_code == 200 and by_name.status_code == 200
    assert len(by_id.json()) == 4 and len(by_name.json()) == 10
    for entry in by_id.json():  # handed through to Jellyfin's clients unchanged
        assert {"artist", "artist_id", "divergence", "component_matches"} <= set(entry)
        assert all({"distance", "component1_index", "component2_index"} <= set(m) for m in entry["component_matches"])
    assert [e["artist"] for e in by_id.json()] == [e["artist"] for e in by_name.json()][:4]


def test_lyrion_plugin_asks_by_name(token_client, library):
    response = token_client.get(f"/api/similar_artists?artist={quote(SEED)}&n=10")

    assert response.status_code == 200
    names = [entry["artist"] for entry in response.json()]
    assert len(names) == 10 and SEED not in names
    assert all(isinstance(entry["divergence"], float) for entry in response.json())


def test_wavio_asks_by_name_and_by_id_only_without_one(token_client, library):
    by_name = token_client.get("/api/similar_artists", {"artist": SEED, "n": 8})
    by_id = token_client.get("/api/similar_artists", {"artist_id": artist_id_of(SEED), "n": 8})

    assert by_name.status_code == by_id.status_code == 200
    assert by_name.json() == by_id.json()
    assert {entry["artist"] for entry in by_name.json()[:3]} == {"Jazz Artist 0", "Jazz Artist 1", "Jazz Artist 3"}


def test_musicserver_alchemy_preview_reads_the_picture(token_client, library):
    add, subtract = library.ids["rock-0-1"], library.ids["electronic-2-2"]
    body = {
        "items": [{"id": add, "op": "ADD"}, {"id": subtract, "op": "SUBTRACT"}],
        "n": 10, "temperature": 1.0, "subtract_distance": 0.2, "preview": True,
    }  # fmt: skip
    response = token_client.post("/api/alchemy", body, format="json")

    assert response.status_code == 200
    data = response.json()
    assert "error" not in data and len(data["results"]) == 10
    for point in data["add_points"] + data["sub_points"] + data["results"] + data["filtered_out"]:
        assert len(point["embedding_2d"]) == 2
    assert len(data["add_centroid_2d"]) == 2 and len(data["subtract_centroid_2d"]) == 2


def test_mood_browsing_clients_list_centroids_then_ask_for_songs_near_one(token_client, library):
    moods = token_client.get("/api/mood_centroids").json()
    # One ingredient per mood with centroids: "<mood>:<index>", labelled by the first three top tags.
    ingredients = {
        f"{mood}:{centroids[0]['index']}": centroids[0]["top_tags"][:3]
        for mood, centroids in moods.items()
        if centroids
    }
    assert "relaxed:0" in ingredients and all(ingredients.values())

    mood, index = ["relaxed", "0"]
    songs = token_client.get("/api/similar_tracks", {"mood": mood, "centroid_index": index, "n": 20})
    assert songs.status_code == 200
    assert all({"item_id", "title", "author", "distance"} <= set(song) for song in songs.json())


def test_path_to_a_mood_as_the_path_page_asks(token_client, library):
    start = library.ids["electronic-1-0"]
    response = token_client.get(f"/api/find_path?start_song_id={start}&end_mood=aggressive&mood_pct=60&max_steps=10")

    assert response.status_code == 200
    path = response.json()["path"]
    assert path[0]["item_id"] == start and len(path) >= 2
