"""Who may call the API, and what errors look like."""

import pytest

pytestmark = pytest.mark.django_db


def test_health_is_public_and_says_ok(anonymous_client):
    response = anonymous_client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.content == b'{"status": "ok"}'


def test_protected_api_without_credentials_is_401_json(anonymous_client):
    response = anonymous_client.get("/api/schema/")
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized"}


def test_bearer_token_is_accepted(token_client):
    response = token_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/health" in response.json()["paths"]


def test_wrong_bearer_token_is_401(anonymous_client):
    anonymous_client.credentials(HTTP_AUTHORIZATION="Bearer not-the-token")
    response = anonymous_client.get("/api/schema/")
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid API token"}


def test_session_login_is_accepted(user_client):
    assert user_client.get("/api/schema/").status_code == 200


def test_unknown_api_route_is_404_json(token_client):
    response = token_client.get("/api/no_such_route")
    assert response.status_code == 404
    assert response.json() == {"error": "Not found"}


def test_swagger_ui_is_served_without_a_cdn(user_client):
    response = user_client.get("/api/schema/swagger-ui/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"cdn.jsdelivr" not in response.content


def test_pages_need_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/login")


def test_dashboard_shows_library_counts(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/")
    assert response.status_code == 200
    assert b"0 tracks known" in response.content
