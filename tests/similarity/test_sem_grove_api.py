"""POST /api/sem_grove/search: with no lyrics analysed, the nearest songs in the audio space, seed first."""

from __future__ import annotations

import pytest


def search(client, **body):
    return client.post("/api/sem_grove/search", body, format="json")


@pytest.mark.django_db
def test_the_seed_comes_first_then_its_nearest_songs(token_client, library):
    seed = library.ids["electronic-2-0"]
    body = search(token_client, item_id=seed, limit=6).json()
    assert body["count"] == len(body["results"]) == 7
    first, *others = body["results"]
    assert first["item_id"] == seed and first["is_seed"] is True and first["similarity"] == 1.0
    assert not any(row["is_seed"] for row in others)
    similarities = [row["similarity"] for row in others]
    assert similarities == sorted(similarities, reverse=True)
    assert all(library.style_of[row["item_id"]] == "electronic" for row in others)
    for row in body["results"]:
        assert {"item_id", "title", "author", "album", "similarity", "is_seed"} <= set(row)
        assert row["similarity"] == pytest.approx(1.0 - row["distance"], abs=1e-6)


@pytest.mark.django_db
def test_limit_defaults_to_50_and_a_huge_one_is_clamped(token_client, library):
    seed = library.ids["rock-3-3"]
    assert search(token_client, item_id=seed).json()["count"] == min(51, len(library.vectors))
    assert search(token_client, item_id=seed, limit=10**9).json()["count"] == len(library.vectors)


@pytest.mark.django_db
def test_unknown_and_missing_seeds(token_client, library):
    unknown = search(token_client, item_id="no-such-track", limit=5)
    assert unknown.status_code == 404 and unknown.json()["error"]
    not_analysed = search(token_client, item_id=library.ids["unanalysed"], limit=5)
    assert not_analysed.status_code == 404
    missing = search(token_client, limit=5)
    assert missing.status_code == 400 and missing.json()["error"]


@pytest.mark.django_db
def test_before_an_index_exists_the_answer_is_503(token_client):
    response = search(token_client, item_id="anything", limit=5)
    assert response.status_code == 503 and response.json()["error"]
