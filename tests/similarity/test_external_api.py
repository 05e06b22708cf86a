"""GET /external/get_score and /external/get_embedding."""

import pytest

pytestmark = pytest.mark.django_db


def test_score_row_of_a_track(token_client, library):
    response = token_client.get("/external/get_score", {"id": library.ids["jazz-0-0"]})
    assert response.status_code == 200
    body = response.json()
    assert body["item_id"] == library.ids["jazz-0-0"]
    assert body["title"] == "jazz tune 00" and body["author"] == "Jazz Artist 0"
    assert body["tempo"] == 120.0 and body["key"] == "A" and body["scale"] == "minor"
    assert body["mood_vector"].startswith("jazz:0.546,pop:0.520")
    assert body["other_features"].startswith("danceable:0.20,aggressive:0.10")


def test_embedding_of_a_track_is_200_floats(token_client, library):
    item_id = library.ids["rock-1-2"]
    response = token_client.get("/external/get_embedding", {"id": item_id})
    assert response.status_code == 200
    body = response.json()
    assert body["item_id"] == item_id
    assert len(body["embedding"]) == 200
    assert body["embedding"] == pytest.approx(library.vectors[item_id].tolist(), abs=1e-5)


@pytest.mark.parametrize("route", ["/external/get_score", "/external/get_embedding"])
def test_unknown_ids_are_404_and_missing_ones_400_json(token_client, library, route):
    for params, code in (
        ({"id": "nope"}, 404),
        ({"id": library.ids["unanalysed"]}, 404),
        ({}, 400),
        ({"id": " "}, 400),
    ):
        response = token_client.get(route, params)
        assert response.status_code == code, params
        assert set(response.json()) == {"error"}
