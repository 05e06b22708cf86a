"""Mood centroids from the library's own tracks, songs near them, and the search parameters the clients add."""

import pytest

from similarity.moods import MOODS

pytestmark = pytest.mark.django_db


def test_every_mood_is_listed_with_centroids_of_the_tracks_that_score_high(token_client, library):
    body = token_client.get("/api/mood_centroids").json()

    assert set(body) == set(MOODS)
    assert body["sad"] == []  # no track of the test library scores 0.5 on it
    relaxed = body["relaxed"]
    assert relaxed and [centroid["index"] for centroid in relaxed] == list(range(len(relaxed)))
    assert sum(centroid["n_songs"] for centroid in relaxed) == len(library.in_style("jazz"))
    assert all(centroid["mood_score"] == pytest.approx(0.9) and centroid["top_tags"] for centroid in relaxed)
    assert "jazz" in relaxed[0]["top_tags"]
    assert token_client.get("/api/mood_centroids?mood=Relaxed").json() == {"relaxed": relaxed}


def test_similar_tracks_around_a_mood_centroid(token_client, library):
    response = token_client.get("/api/similar_tracks?mood=relaxed&centroid_index=0&n=8")

    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 8 and {library.style_of[row["item_id"]] for row in rows} == {"jazz"}


@pytest.mark.parametrize(
    "query",
    ["/api/mood_centroids?mood=grumpy", "/api/similar_tracks?mood=grumpy&centroid_index=0",
     "/api/similar_tracks?mood=relaxed&centroid_index=99", "/api/similar_tracks?mood=sad&centroid_index=0",
     "/api/search_tracks?search_query=rock&index=lyrics"],
)  # fmt: skip
def test_unknown_moods_centroids_and_indexes_are_400(token_client, library, query):
    response = token_client.get(query)

    assert response.status_code == 400 and isinstance(response.json()["error"], str)


def test_mood_centroids_before_any_index_is_503(token_client):
    assert token_client.get("/api/mood_centroids").status_code == 503


def test_search_tracks_in_the_sem_grove_index_searches_the_audio_space(token_client, library):
    default = token_client.get("/api/search_tracks?search_query=rock").json()

    assert default
    assert token_client.get("/api/search_tracks?search_query=rock&index=sem_grove").json() == default
    assert token_client.get("/api/search_tracks?search_query=rock&index=musicnn").json() == default


def test_search_artists_pages_with_start_and_end(token_client, library):
    everyone = token_client.get("/api/search_artists?query=artist&end=100").json()

    assert len(everyone) == 12
    assert token_client.get("/api/search_artists?query=artist&start=2&end=5").json() == everyone[2:5]
    assert token_client.get("/api/search_artists?query=artist&limit=3").json() == everyone[:3]
    assert token_client.get("/api/search_artists?query=artist&start=10").json() == everyone[10:]


def test_a_path_may_start_or_end_at_a_mood(token_client, library):
    rock = library.ids["rock-1-2"]
    to_relaxed = token_client.get(f"/api/find_path?start_song_id={rock}&end_mood=relaxed&max_steps=6&mood_pct=100")
    from_relaxed = token_client.get(f"/api/find_path?start_mood=relaxed&end_song_id={rock}&max_steps=6")

    assert to_relaxed.status_code == from_relaxed.status_code == 200
    path = to_relaxed.json()["path"]
    assert path[0]["item_id"] == rock and library.style_of[path[-1]["item_id"]] == "jazz"
    assert library.style_of[from_relaxed.json()["path"][0]["item_id"]] == "jazz"
    # mood_pct=0 stays by the other end: the song standing for the mood is the rock song's nearest.
    near = token_client.get(f"/api/find_path?start_song_id={rock}&end_mood=relaxed&max_steps=4&mood_pct=0").json()
    assert library.style_of[near["path"][-1]["item_id"]] == "rock"


@pytest.mark.parametrize(
    ("query", "status"),
    [("start_mood=relaxed&end_mood=happy", 400), ("end_mood=relaxed", 400),
     ("start_song_id={rock}&end_mood=grumpy", 400), ("start_song_id={rock}&end_mood=sad", 404),
     ("start_song_id=nope&end_mood=relaxed", 404)],
)  # fmt: skip
def test_bad_mood_ends_are_4xx(token_client, library, query, status):
    response = token_client.get("/api/find_path?" + query.format(rock=library.ids["rock-1-2"]))

    assert response.status_code == status and "error" in response.json()
