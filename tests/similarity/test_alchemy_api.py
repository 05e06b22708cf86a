"""POST /api/alchemy against real rows and a real index."""

import numpy as np
import pytest

RESULT_KEYS = {"results", "filtered_out", "add_centroid_2d", "subtract_centroid_2d", "add_points", "sub_points",
               "projection"}  # fmt: skip


def alchemy(client, body):
    return client.post("/api/alchemy", body, format="json")


def item(item_id, op="ADD", kind="song"):
    return {"id": item_id, "op": op, "type": kind}


def unit(vector):
    return vector / np.linalg.norm(vector)


@pytest.mark.django_db
def test_adding_two_songs_returns_n_results_with_2d_points(token_client, library):
    adds = [library.ids["jazz-0-0"], library.ids["jazz-1-0"]]
    response = alchemy(token_client, {"items": [item(i) for i in adds], "n": 10, "temperature": 0})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == RESULT_KEYS
    assert len(body["results"]) == 10
    assert not {row["item_id"] for row in body["results"]} & set(adds)
    assert all(len(row["embedding_2d"]) == 2 and "mood_vector" in row for row in body["results"])
    assert [point["item_id"] for point in body["add_points"]] == adds
    assert body["sub_points"] == [] and body["subtract_centroid_2d"] is None
    assert len(body["add_centroid_2d"]) == 2 and body["projection"] == "pca"
    assert {library.style_of[row["item_id"]] for row in body["results"][:8]} == {"jazz"}


@pytest.mark.django_db
def test_temperature_zero_is_the_nearest_songs_in_order(token_client, library):
    adds = [library.ids["rock-0-1"], library.ids["jazz-0-1"]]
    body = {"items": [item(i) for i in adds], "n": 12, "temperature": 0}
    first, second = alchemy(token_client, body).json(), alchemy(token_client, body).json()
    assert first["results"] == second["results"]
    distances = [row["distance"] for row in first["results"]]
    assert distances == sorted(distances)
    centre = unit(unit(library.vectors[adds[0]]) + unit(library.vectors[adds[1]]))
    expected = [1 - float(unit(library.vectors[row["item_id"]]) @ centre) for row in first["results"]]
    assert distances == pytest.approx(expected, abs=1e-5)


@pytest.mark.django_db
def test_sampling_with_a_seed_is_repeatable(token_client, library):
    body = {"items": [item(library.ids["electronic-0-0"])], "n": 8, "temperature": 50, "seed": 1234}
    first, second = alchemy(token_client, body).json(), alchemy(token_client, body).json()
    assert [r["item_id"] for r in first["results"]] == [r["item_id"] for r in second["results"]]


@pytest.mark.django_db
def test_subtracting_a_style_moves_its_songs_to_filtered_out(token_client, library):
    body = {
        "items": [
            item(library.ids["rock-0-2"]),
            item(library.ids["jazz-0-2"]),
            item(library.ids["jazz-1-2"], "SUBTRACT"),
        ],
        "n": 30,
        "temperature": 0,
        "subtract_distance": 0.4,
    }
    response = alchemy(token_client, body).json()
    kept_styles = {library.style_of[row["item_id"]] for row in response["results"]}
    removed_styles = {library.style_of[row["item_id"]] for row in response["filtered_out"]}
    assert "jazz" not in kept_styles and removed_styles == {"jazz"}
    assert response["sub_points"][0]["item_id"] == library.ids["jazz-1-2"]
    assert response["subtract_centroid_2d"] is not None
    assert all(len(row["embedding_2d"]) == 2 for row in response["filtered_out"])


@pytest.mark.django_db
def test_an_artist_item_adds_the_mean_of_its_songs(token_client, library):
    response = alchemy(token_client, {"items": [item("Electronic Artist 1", kind="artist")], "n": 5, "temperature": 0})
    assert response.status_code == 200
    body = response.json()
    assert {library.style_of[row["item_id"]] for row in body["results"]} == {"electronic"}
    assert body["add_points"][0]["type"] == "artist"
    missing = alchemy(token_client, {"items": [item("Nobody At All", kind="artist")]})
    assert missing.status_code == 404


@pytest.mark.django_db
def test_n_defaults_to_100_and_is_capped(token_client, library, settings):
    one = {"items": [item(library.ids["rock-1-1"])], "temperature": 0}
    settings.MAX_SONGS_PER_ARTIST = 100
    assert len(alchemy(token_client, one).json()["results"]) == 60  # all 63 but the input and two copies of one song
    settings.ALCHEMY_MAX_N_RESULTS = 7
    assert len(alchemy(token_client, {**one, "n": 500}).json()["results"]) == 7
    assert len(alchemy(token_client, {**one, "n": "abc"}).json()["results"]) == 7


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"items": []},
        {"items": "nope"},
        {"items": [{"op": "ADD"}]},
        {"items": [{"id": "x", "op": "MULTIPLY"}]},
    ],
)
def test_malformed_requests_are_400(token_client, library, body):
    response = alchemy(token_client, body)
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


@pytest.mark.django_db
def test_only_subtractions_is_400_and_unknown_songs_404(token_client, library):
    assert alchemy(token_client, {"items": [item(library.ids["rock-0-1"], "SUBTRACT")]}).status_code == 400
    response = alchemy(token_client, {"items": [item("no-such-song")]})
    assert response.status_code == 404 and "error" in response.json()


@pytest.mark.django_db
def test_empty_post_body_is_400_not_500(token_client, library):
    response = token_client.post("/api/alchemy", data="not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [{"seed": -5}, {"seed": "x"}, {"temperature": "hot"}, {"temperature": -1},
                                   {"subtract_distance": "nan"}, {"n": -3}])  # fmt: skip
def test_loose_numbers_never_fail(token_client, library, extra):
    body = {"items": [item(library.ids["jazz-2-1"])], "n": 5, **extra}
    response = alchemy(token_client, body)
    assert response.status_code == 200
    assert 1 <= len(response.json()["results"]) <= 5


def test_artist_inputs_show_their_components_and_filtered_rows_their_place(token_client, fitted_models):
    library = fitted_models  # components come from the artist model the worker fits
    from tests.similarity.conftest import artist_id_of

    body = alchemy(
        token_client,
        {"items": [item(artist_id_of("Jazz Artist 2"), kind="artist"), item(library.ids["jazz-0-1"], op="SUBTRACT")],
         "n": 5, "subtract_distance": 2.0, "temperature": 0},
    ).json()  # fmt: skip

    artist_point, *components = body["add_points"]
    assert artist_point["type"] == "artist" and artist_point["author"] == "Jazz Artist 2"
    assert components and all(point["is_artist_component"] for point in components)
    assert [point["item_id"] for point in components] == [
        f"{artist_id_of('Jazz Artist 2')}_comp{number}" for number in range(len(components))
    ]
    assert sum(point["weight"] for point in components) == pytest.approx(1.0, abs=0.01)
    assert all(len(point["embedding_2d"]) == 2 for point in components)
    assert body["sub_points"][0]["item_id"] == library.ids["jazz-0-1"]
    assert body["filtered_out"] and all(len(row["embedding_2d"]) == 2 for row in body["filtered_out"])
