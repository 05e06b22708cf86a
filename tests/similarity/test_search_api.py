"""GET /api/search_tracks, /api/search_artists, /api/track and /external/search."""

import pytest

from analysis.models import Track

SUMMARY_KEYS = {"item_id", "title", "author", "album", "album_artist"}


def search(client, **params):
    response = client.get("/api/search_tracks", params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_every_word_must_match_title_artist_or_album(token_client, library):
    rows = search(token_client, search_query="jazz artist 2")
    assert {row["author"] for row in rows[:5]} == {"Jazz Artist 2"}  # more words in the artist: first
    for row in rows:
        text = " ".join((row["title"], row["author"], row["album"])).lower()
        assert all(word in text for word in ("jazz", "artist", "2"))
    assert set(rows[0]) == SUMMARY_KEYS
    assert search(token_client, search_query="jazz electronic") == []


@pytest.mark.django_db
def test_search_ignores_case_and_accents_both_ways(token_client, library):
    for query in ("beyonce cafe", "BEYONCÉ CAFÉ", "Café"):
        rows = search(token_client, search_query=query)
        assert [row["item_id"] for row in rows] == [library.ids["accented"]], query


@pytest.mark.django_db
def test_titles_rank_before_artists_before_albums(token_client, library):
    Track.objects.filter(item_id=library.ids["jazz-1-1"]).update(title="Blue Train")
    Track.objects.filter(item_id=library.ids["rock-1-1"]).update(author="Blue Artist")
    Track.objects.filter(item_id=library.ids["electronic-1-1"]).update(album="Blue Album")
    rows = search(token_client, search_query="blue")
    assert [row["item_id"] for row in rows] == [
        library.ids["jazz-1-1"],
        library.ids["rock-1-1"],
        library.ids["electronic-1-1"],
    ]


@pytest.mark.django_db
def test_results_are_paged_with_start_and_end(token_client, library):
    everything = search(token_client, search_query="tune", end=1000)
    assert len(everything) == 61  # 60 style songs and the copy; "Completely Different Name" has no "tune"
    assert len(search(token_client, search_query="tune")) == 20
    assert search(token_client, search_query="tune", start=10, end=15) == everything[10:15]
    assert search(token_client, search_query="tune", start="x", end="y") == everything[:20]


@pytest.mark.django_db
def test_a_page_holds_at_most_500_rows(token_client, library, monkeypatch):
    from similarity import selectors

    seen = {}
    original = selectors.track_search

    def spy(**kwargs):
        seen.update(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(selectors, "track_search", spy)
    search(token_client, search_query="tune", start=5, end=100000)
    assert seen["end"] - seen["start"] == 500


@pytest.mark.django_db
def test_legacy_title_and_artist_parameters(token_client, library):
    rows = search(token_client, title="tune 12", artist="rock artist")
    assert [row["item_id"] for row in rows] == [library.ids["rock-1-2"]]
    assert search(token_client, title="", artist="Jazz Artist 3")[0]["author"] == "Jazz Artist 3"


@pytest.mark.django_db
def test_empty_queries_and_unanalysed_tracks_give_nothing(token_client, library):
    assert search(token_client) == []
    assert search(token_client, search_query="   ") == []
    assert search(token_client, search_query="unheard") == []


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["%", "_", "x'; DROP TABLE analysis_track; --", "\\"])
def test_sql_and_pattern_characters_are_plain_text(token_client, library, query):
    assert search(token_client, search_query=query) == []
    assert Track.objects.count() == 64


@pytest.mark.django_db
def test_renaming_a_track_updates_what_search_finds(token_client, library):
    track = Track.objects.get(item_id=library.ids["rock-2-2"])
    track.title = "Ça Plane Pour Moi"
    track.save()
    assert [row["item_id"] for row in search(token_client, search_query="ca plane")] == [track.item_id]


@pytest.mark.django_db
def test_external_search_answers_like_search_tracks(token_client, library):
    response = token_client.get("/external/search", {"search_query": "beyonce"})
    assert response.status_code == 200
    assert response.json() == search(token_client, search_query="beyonce")


@pytest.mark.django_db
def test_artist_search_counts_analysed_tracks(token_client, library):
    response = token_client.get("/api/search_artists", {"query": "jazz artist"})
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 4
    assert rows[0] == {"artist": "Jazz Artist 0", "artist_id": "Jazz Artist 0", "track_count": 5}
    assert token_client.get("/api/search_artists", {"query": "beyonce"}).json()[0]["artist"] == "Beyoncé Knowles"
    assert token_client.get("/api/search_artists").json() == []


@pytest.mark.django_db
def test_track_summary_and_unknown_track(token_client, library):
    response = token_client.get("/api/track", {"item_id": library.ids["accented"]})
    assert response.json() == {
        "item_id": library.ids["accented"],
        "title": "Café del Mar",
        "author": "Beyoncé Knowles",
        "album": "Ibiza Sunset",
        "album_artist": "Beyoncé Knowles",
    }
    missing = token_client.get("/api/track", {"item_id": "nope"})
    assert missing.status_code == 404 and "error" in missing.json()
    assert token_client.get("/api/track").status_code == 400  # missing: bad input, as on every route


def test_search_needs_credentials(anonymous_client):
    response = anonymous_client.get("/api/search_tracks", {"search_query": "x"})
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized"}


@pytest.mark.django_db
def test_deleting_a_track_removes_it_from_search(token_client, library):
    from analysis.services import tracks_delete

    assert tracks_delete(item_ids=[library.ids["accented"]]) == 1
    assert search(token_client, search_query="beyonce") == []


@pytest.mark.django_db
def test_tracks_created_in_bulk_are_searchable_too(token_client, library):
    from analysis.models import Embedding

    track = Track.objects.bulk_create([Track(item_id="bulk-1", title="Über Bulk", author="Mötley Crüe")])[0]
    Embedding.objects.create(track=track, vector=[0.1] * 200, model_version="test")
    assert [row["item_id"] for row in search(token_client, search_query="uber motley crue")] == ["bulk-1"]


def test_the_schema_lists_the_similarity_routes(token_client, db):
    paths = token_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for route in ("/api/similar_tracks", "/api/find_path", "/api/alchemy", "/api/sonic_fingerprint/generate",
                  "/api/create_playlist", "/external/get_embedding"):  # fmt: skip
        assert route in paths
