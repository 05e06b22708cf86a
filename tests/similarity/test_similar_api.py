"""GET /api/similar_tracks and /api/max_distance against real rows and a real index."""

import pytest
from scipy.spatial.distance import cosine as cosine_distance

from similarity.models import VectorIndex

ROW_KEYS = {
    "item_id", "title", "author", "album", "album_artist", "distance",
    "mood_vector", "other_features", "top_genre", "top_mood",
}  # fmt: skip


def similar(client, **params):
    return client.get("/api/similar_tracks", params)


@pytest.mark.django_db
def test_rows_have_the_song_row_shape_and_formats(token_client, library):
    response = similar(token_client, item_id=library.ids["jazz-0-0"], n=5, radius_similarity="false")
    assert response.status_code == 200
    rows = response.json()
    assert isinstance(rows, list) and len(rows) == 5
    row = rows[0]
    assert set(row) == ROW_KEYS
    assert row["mood_vector"] == "jazz:0.546,pop:0.520,00s:0.300,Mellow:0.200,electronic:0.100"
    assert row["other_features"] == "danceable:0.20,aggressive:0.10,happy:0.50,party:0.10,relaxed:0.90,sad:0.30"
    assert row["top_genre"] == "jazz" and row["top_mood"] == "relaxed"
    assert 0 <= 1 - row["distance"] <= 1


@pytest.mark.django_db
def test_standard_mode_ranks_by_true_cosine_distance(token_client, library):
    seed = library.ids["jazz-1-1"]
    rows = similar(token_client, item_id=seed, n=8, radius_similarity="false", eliminate_duplicates="false").json()
    expected = sorted(
        (cosine_distance(library.vectors[seed], vector), item_id)
        for item_id, vector in library.vectors.items()
        if item_id != seed
    )[:8]
    assert [row["item_id"] for row in rows] == [item_id for _, item_id in expected]
    assert [row["distance"] for row in rows] == pytest.approx([d for d, _ in expected], abs=1e-5)


@pytest.mark.django_db
def test_the_seed_its_copy_and_its_near_identical_remaster_are_left_out(token_client, library):
    for radius in ("true", "false"):
        rows = similar(token_client, item_id=library.ids["rock-0-0"], n=30, radius_similarity=radius).json()
        returned = {row["item_id"] for row in rows}
        assert not returned & {library.ids["rock-0-0"], library.ids["copy"], library.ids["remaster"]}, radius


@pytest.mark.django_db
@pytest.mark.parametrize("radius", ["true", "false"])
def test_artist_cap_and_exactly_n_results(token_client, library, settings, radius):
    settings.MAX_SONGS_PER_ARTIST = 2
    rows = similar(token_client, item_id=library.ids["electronic-2-0"], n=20, radius_similarity=radius).json()
    assert len(rows) == 20
    counts = {}
    for row in rows:
        counts[row["author"]] = counts.get(row["author"], 0) + 1
    assert max(counts.values()) <= 2


@pytest.mark.django_db
def test_radius_walk_stays_in_the_seed_style_first(token_client, library):
    seed = library.ids["rock-3-3"]
    rows = similar(token_client, item_id=seed, n=10, radius_similarity="true").json()
    assert len(rows) == 10
    assert {library.style_of[row["item_id"]] for row in rows} == {"rock"}


@pytest.mark.django_db
def test_mood_similarity_keeps_songs_with_close_other_features(token_client, library):
    rows = similar(token_client, item_id=library.ids["jazz-2-2"], n=40, mood_similarity="true").json()
    assert rows and {library.style_of[row["item_id"]] for row in rows} == {"jazz"}
    without = similar(token_client, item_id=library.ids["jazz-2-2"], n=40, eliminate_duplicates="false").json()
    assert len({library.style_of[row["item_id"]] for row in without}) > 1


@pytest.mark.django_db
@pytest.mark.parametrize(("n", "expected"), [("0", 1), ("-5", 1), ("3", 3), ("abc", 10), ("", 10), ("2.9", 2)])
def test_n_is_clamped_or_defaulted(token_client, library, n, expected):
    response = similar(token_client, item_id=library.ids["rock-1-0"], n=n)
    assert response.status_code == 200
    assert len(response.json()) == expected


@pytest.mark.django_db
def test_a_huge_n_returns_what_the_library_has(token_client, library):
    rows = similar(token_client, item_id=library.ids["rock-1-0"], n=100000, eliminate_duplicates="false").json()
    assert 55 <= len(rows) < 64  # everything but the seed and the copies the duplicate filter drops


@pytest.mark.django_db
def test_legacy_title_and_artist_find_the_seed(token_client, library):
    by_name = similar(token_client, title="Café del Mar", artist="Beyonce", n=4).json()
    by_id = similar(token_client, item_id=library.ids["accented"], n=4).json()
    assert by_name == by_id


@pytest.mark.django_db
@pytest.mark.parametrize(
    "item_id", ["does-not-exist", "x'; DROP TABLE analysis_track; --", "1 OR 1=1", "%", "../../etc/passwd"]
)
def test_unknown_and_sql_looking_ids_are_404_json(token_client, library, item_id):
    response = similar(token_client, item_id=item_id, n=5)
    assert response.status_code == 404
    assert set(response.json()) == {"error"}


@pytest.mark.django_db
def test_an_unanalysed_track_is_404(token_client, library):
    assert similar(token_client, item_id=library.ids["unanalysed"]).status_code == 404


@pytest.mark.django_db
def test_missing_seed_is_400(token_client, library):
    response = similar(token_client, n=5)
    assert response.status_code == 400
    assert "error" in response.json()


@pytest.mark.django_db
def test_no_index_is_503(token_client, library):
    VectorIndex.objects.all().delete()
    response = similar(token_client, item_id=library.ids["rock-0-1"], n=5)
    assert response.status_code == 503
    assert set(response.json()) == {"error"}


@pytest.mark.django_db
def test_max_distance_names_the_farthest_track(token_client, library):
    seed = library.ids["rock-0-1"]
    response = token_client.get("/api/max_distance", {"item_id": seed})
    assert response.status_code == 200
    body = response.json()
    distances = {i: cosine_distance(library.vectors[seed], v) for i, v in library.vectors.items()}
    assert body["farthest_item_id"] == max(distances, key=distances.get)
    assert body["max_distance"] == pytest.approx(max(distances.values()), abs=1e-5)
    assert token_client.get("/api/max_distance", {"item_id": "nope"}).status_code == 404
    assert token_client.get("/api/max_distance").status_code == 400
