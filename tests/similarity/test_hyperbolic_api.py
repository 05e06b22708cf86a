"""POST /api/hyperbolic/similar, the tree, warmup and status, over the small library's fitted hyperbolic model."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from similarity import hyperbolic


def similar(client, **body):
    return client.post("/api/hyperbolic/similar", body, format="json")


def median_radius_seed() -> str:
    """A track halfway between the most general and the most specific, so both modes have room."""
    model = hyperbolic.hyperbolic_models.current().model
    return model.item_ids[int(np.argsort(model.radii)[len(model) // 2])]


@pytest.mark.django_db
def test_before_the_model_is_fitted_the_routes_answer_503_and_warmup_says_not_loaded(token_client, library):
    response = similar(token_client, item_id=library.ids["rock-0-1"], mode="similar", limit=5)
    assert response.status_code == 503 and "not fitted" in response.json()["error"]
    assert token_client.get("/api/hyperbolic/tree").status_code == 503
    assert token_client.post("/api/hyperbolic/warmup").json() == {"loaded": False, "expiry_seconds": 0}
    assert token_client.get("/api/hyperbolic/warmup/status").json() == {"active": False, "seconds_remaining": 0}
    assert token_client.get("/api/hyperbolic/cache_status").json()["ok"] is False


@pytest.mark.django_db
def test_similar_mode_returns_song_rows_with_poincare_distances_and_radii(token_client, fitted_models):
    seed = fitted_models.ids["jazz-1-2"]
    response = similar(token_client, item_id=seed, mode="similar", limit=8)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["results"]) == 8
    assert body["mode"] == "similar" and body["seed_item_id"] == seed and body["radial_spread"] == 1.0
    assert 0.0 < body["seed_radius"] < 1.0
    distances = [row["distance"] for row in body["results"]]
    assert distances == sorted(distances) and seed not in {row["item_id"] for row in body["results"]}
    for row in body["results"]:
        assert {"item_id", "title", "author", "album", "mood_vector", "other_features", "hyperbolic_radius"} <= set(row)
    # The ball keeps the styles apart: a jazz seed's nearest songs are jazz.
    assert sum(fitted_models.style_of.get(row["item_id"]) == "jazz" for row in body["results"]) >= 6


@pytest.mark.django_db
def test_roots_leans_toward_more_general_songs_and_niche_toward_more_specific_ones(token_client, fitted_models):
    seed = median_radius_seed()

    def radii(mode: str) -> tuple[float, list[float]]:
        body = similar(token_client, item_id=seed, mode=mode, limit=10).json()
        return body["seed_radius"], [row["hyperbolic_radius"] for row in body["results"]]

    seed_radius, roots = radii("roots")
    _, niche = radii("niche")
    _, plain = radii("similar")
    assert np.mean(roots) < seed_radius < np.mean(niche)
    assert np.mean(roots) < np.mean(plain) < np.mean(niche)
    # With no lean at all, roots and niche are plain similar.
    flat = similar(token_client, item_id=seed, mode="roots", limit=10, radial_spread=0).json()
    assert [row["hyperbolic_radius"] for row in flat["results"]] == plain


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"item_id": "no-such-track", "mode": "similar"}, 404),
        ({"mode": "similar"}, 400),
        ({"item_id": "SEED", "mode": "sideways"}, 400),
        ({"item_id": "SEED", "mode": "roots", "radial_spread": "wide"}, 400),
        ({"item_id": "SEED", "mode": "roots", "radial_spread": 50}, 400),
        ({"item_id": "SEED", "mode": "roots", "radial_spread": -1}, 400),
    ],
)
def test_bad_requests_get_an_error(token_client, fitted_models, body, status):
    body = {**body, "item_id": fitted_models.ids["rock-1-1"]} if body.get("item_id") == "SEED" else body
    response = similar(token_client, **body)
    assert response.status_code == status and response.json()["error"]


@pytest.mark.django_db
def test_a_huge_limit_is_clamped_and_mode_is_loose(token_client, fitted_models):
    body = similar(token_client, item_id=fitted_models.ids["rock-1-1"], mode=" NICHE ", limit=10**9).json()
    assert body["mode"] == "niche" and 20 < body["count"] < len(fitted_models.vectors)
    default = similar(token_client, item_id=fitted_models.ids["rock-1-1"]).json()
    assert default["mode"] == "similar" and default["count"] == 20


@pytest.mark.django_db
def test_copies_of_one_song_and_more_than_the_artist_cap_are_left_out(token_client, fitted_models, settings):
    settings.MAX_SONGS_PER_ARTIST = 2
    seed = fitted_models.ids["rock-0-0"]
    rows = similar(token_client, item_id=seed, mode="similar", limit=20).json()["results"]
    authors = Counter(row["author"] for row in rows)
    assert max(authors.values()) == 2 and len(rows) == 20  # 14 artists could give 26
    # "copy" is the seed again on another album: the same title and artist.
    assert fitted_models.ids["copy"] not in {row["item_id"] for row in rows}


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_400(token_client, fitted_models):
    response = token_client.post("/api/hyperbolic/similar", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]


@pytest.mark.django_db
def test_the_tree_lists_general_songs_first_and_opens_each_node(token_client, fitted_models):
    root = token_client.get("/api/hyperbolic/tree").json()["node"]
    assert root["id"] == "root" and root["type"] == "folder" and root["children_count"] == len(root["items"]) > 0
    branch = next(item for item in root["items"] if item["children_count"])
    node = token_client.get("/api/hyperbolic/tree", {"node_id": branch["id"]}).json()["node"]
    assert node["item_id"] == branch["id"] and len(node["items"]) == branch["children_count"]
    # Children are more specific than their parent.
    assert all(child["hyperbolic_radius"] > node["hyperbolic_radius"] for child in node["items"])
    assert node["title"] and node["name"].startswith(node["title"])
    missing = token_client.get("/api/hyperbolic/tree", {"node_id": "nowhere"})
    assert missing.status_code == 404 and missing.json()["error"]


@pytest.mark.django_db
def test_warmup_builds_the_tree_and_the_status_calls_report_it(token_client, fitted_models):
    assert token_client.get("/api/hyperbolic/warmup/status").json()["active"] is False
    assert token_client.post("/api/hyperbolic/warmup").json() == {"loaded": True, "expiry_seconds": 0}
    assert token_client.get("/api/hyperbolic/warmup/status").json() == {"active": True, "seconds_remaining": 0}
    status = token_client.get("/api/hyperbolic/cache_status").json()
    assert status["ok"] is True and status["track_count"] == len(fitted_models.vectors)
    assert status["node_count"] > status["n_bands"] > 0


@pytest.mark.django_db
def test_without_the_token_the_routes_answer_401(anonymous_client, fitted_models):
    assert anonymous_client.post("/api/hyperbolic/similar", {}, format="json").status_code == 401
    assert anonymous_client.post("/api/sem_grove/search", {}, format="json").status_code == 401
