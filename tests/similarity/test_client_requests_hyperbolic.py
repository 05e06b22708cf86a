"""The hyperbolic and SemGrove requests of the LMS "Don't Stop The Music" mixer and the Lyrion plugin,
written from their code and parsed as they parse the answers."""

import pytest

from tests.similarity.test_client_requests import unwrap_like_lyrion


def mixer_request_count(count: int) -> int:
    """The mixer asks for ten times the songs it keeps, and at least 40."""
    return max(count * 10, 40)


def mixer_track_ids(body) -> list[str]:
    """The mixer unwraps the list like the Lyrion plugin and takes item_id, else id, from each entry."""
    return [entry.get("item_id") or entry.get("id") for entry in unwrap_like_lyrion(body)]


@pytest.mark.django_db
def test_lms_mixer_hyperbolic_mix_its_default_api(token_client, fitted_models):
    seed = fitted_models.ids["rock-2-3"]
    body = {"item_id": str(seed), "mode": "similar", "limit": mixer_request_count(10)}
    response = token_client.post("/api/hyperbolic/similar", body, format="json")
    assert response.status_code == 200 and "error" not in response.json()
    ids = mixer_track_ids(response.json())
    assert len(ids) > 1  # one song or none and the mixer falls back to similar_tracks
    assert seed not in ids and len(set(ids)) == len(ids)
    assert len(ids) > 20  # 100 asked of a 64-song library: all but copies and songs over the artist cap


@pytest.mark.django_db
def test_lms_mixer_falls_back_to_similar_tracks_before_the_hyperbolic_model_exists(token_client, library):
    seed = library.ids["rock-2-3"]
    body = {"item_id": str(seed), "mode": "similar", "limit": mixer_request_count(10)}
    hyperbolic = token_client.post("/api/hyperbolic/similar", body, format="json")
    assert hyperbolic.status_code == 503 and hyperbolic.json()["error"]  # the mixer's failure callback
    fallback = token_client.get(
        f"/api/similar_tracks?item_id={seed}&n=100&eliminate_duplicates=true&radius_similarity=true&mood_similarity=true"
    )
    assert fallback.status_code == 200 and mixer_track_ids(fallback.json())


@pytest.mark.django_db
def test_lms_mixer_sem_grove_mix(token_client, library):
    seed = library.ids["jazz-0-4"]
    response = token_client.post(
        "/api/sem_grove/search", {"item_id": str(seed), "limit": mixer_request_count(3)}, format="json"
    )
    assert response.status_code == 200
    ids = mixer_track_ids(response.json())
    assert len(ids) > 1 and ids[0] == seed  # the mixer drops the seed itself with its other exclusions


@pytest.mark.django_db
def test_lyrion_plugin_sem_grove_queues_everything_but_the_seed(token_client, library):
    seed = library.ids["electronic-3-2"]
    response = token_client.post("/api/sem_grove/search", {"item_id": str(seed), "limit": 25}, format="json")
    assert response.status_code == 200
    kept = [entry for entry in unwrap_like_lyrion(response.json()) if isinstance(entry, dict) and not entry["is_seed"]]
    assert len(kept) == 25 and seed not in {entry["item_id"] for entry in kept}
    assert all(entry["title"] and entry["author"] for entry in kept)


@pytest.mark.django_db
def test_lyrion_plugin_sem_grove_error_is_a_message_it_shows(token_client, library):
    response = token_client.post("/api/sem_grove/search", {"item_id": "999999", "limit": 25}, format="json")
    assert response.status_code == 404
    assert isinstance(response.json()["error"], str) and response.json()["error"]
