"""A request body is read one way on every route: unreadable -> 400, too large -> 413, empty -> allowed."""

from __future__ import annotations

import io

import pytest

from audiomuse.api.parsers import RequestBodyTooLarge, StrictJSONParser
from scheduling.models import TaskStatus

INVALID_JSON = {"error": "Request body is not valid JSON"}
POST_ROUTES = [
    "/api/analysis/start",
    "/api/clustering/start",
    "/api/alchemy",
    "/api/create_playlist",
    "/api/sonic_fingerprint/generate",
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [b'{"num_recent_albums": 1', b"not json", b'{"a": "\xff\xfe"}', b"\xc3\x28", b"[" * 100_000, b'{"a":' * 50_000],
)
@pytest.mark.parametrize("route", POST_ROUTES)
def test_a_body_that_is_not_json_is_400_and_starts_nothing(token_client, route, body):
    response = token_client.post(route, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == INVALID_JSON
    assert not TaskStatus.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"3"])
def test_json_that_is_not_an_object_is_400(token_client, body):
    response = token_client.post("/api/analysis/start", data=body, content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"error"}
    assert not TaskStatus.objects.exists()


@pytest.mark.django_db
def test_a_5_mb_body_is_413_and_starts_nothing(token_client):
    body = b'{"num_recent_albums": 1, "padding": "' + b"x" * 5_000_000 + b'"}'
    response = token_client.post("/api/analysis/start", data=body, content_type="application/json")
    assert response.status_code == 413
    assert set(response.json()) == {"error"}
    assert not TaskStatus.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("route", [*POST_ROUTES, "/api/cleaning/start", "/api/cancel/abc", "/login"])
def test_a_body_over_the_limit_is_413_on_every_route(token_client, settings, route):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = token_client.post(route, data=b"{}" + b" " * 1000, content_type="application/json")
    assert response.status_code == 413
    assert "1000 bytes" in response.json()["error"]


def test_a_body_without_a_declared_length_is_still_capped(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    with pytest.raises(RequestBodyTooLarge):
        StrictJSONParser().parse(io.BytesIO(b'{"a": "0123456789"}'))
    assert StrictJSONParser().parse(io.BytesIO(b'{"a": 1}')) == {"a": 1}


@pytest.mark.django_db
def test_an_empty_body_is_still_allowed_where_every_input_is_optional(token_client):
    # Read as {}: the route goes on (to the index and the media server), it does not refuse the body.
    response = token_client.post("/api/sonic_fingerprint/generate", data=b"", content_type="application/json")
    assert response.status_code not in (413, 500), response.content
    assert response.json() != INVALID_JSON
