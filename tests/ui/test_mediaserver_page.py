"""The media server page: configuration without secrets, and "Test connection"."""

import pytest

from tests.analysis.music_library import write_album

pytestmark = pytest.mark.django_db

JELLYFIN_TOKEN = "jf-secret-token-123"


def configure_jellyfin(settings, url: str) -> None:
    settings.MEDIASERVER_TYPE = "jellyfin"
    settings.JELLYFIN_URL, settings.JELLYFIN_USER_ID, settings.JELLYFIN_TOKEN = url, "alice", JELLYFIN_TOKEN


def test_non_staff_are_forbidden(client, plain_user):
    client.force_login(plain_user)
    response = client.get("/mediaserver")
    assert response.status_code == 403
    assert b"Only staff" in response.content


def test_page_shows_the_configured_folder(client, staff_user, music_dir):
    client.force_login(staff_user)
    response = client.get("/mediaserver")
    assert response.status_code == 200
    assert b"<code>local</code>" in response.content
    assert str(music_dir).encode() in response.content
    assert b"data-check-result" not in response.content  # the check runs only when asked


def test_check_lists_libraries_and_albums_of_a_local_folder(client, staff_user, music_dir):
    write_album(music_dir, artist="Alpha", album="First Light", tracks=2, seed=1)
    write_album(music_dir, artist="Beta", album="Second Wind", tracks=1, seed=2)
    client.force_login(staff_user)

    response = client.post("/mediaserver")

    assert response.status_code == 200
    report = response.context["report"]
    assert report["libraries"] == ["music"]
    assert report["album_count"] == 2
    assert {(album["name"], album["tracks"]) for album in report["albums"]} == {("First Light", 2), ("Second Wind", 1)}
    assert b"Connected" in response.content
    assert b"First Light" in response.content


def test_check_shows_a_clear_error_for_a_missing_folder(client, staff_user, settings, tmp_path):
    settings.MEDIASERVER_TYPE = "local"
    settings.MUSIC_DIR = tmp_path / "not-mounted"
    client.force_login(staff_user)

    response = client.post("/mediaserver")

    assert response.status_code == 200
    assert response.context["error_headline"] == "The server could not be reached"
    assert "not mounted" in response.context["error"]
    assert b'role="alert"' in response.content


def test_incomplete_configuration_is_explained_and_secrets_never_shown(client, staff_user, settings):
    configure_jellyfin(settings, "")
    client.force_login(staff_user)

    shown = client.get("/mediaserver")
    checked = client.post("/mediaserver")

    assert b"needs its URL" in shown.content
    assert checked.context["error_headline"] == "The configuration is incomplete"
    for response in (shown, checked):
        assert JELLYFIN_TOKEN.encode() not in response.content


def test_configured_url_is_shown_without_the_token(client, staff_user, settings):
    configure_jellyfin(settings, "http://jellyfin.example:8096")
    client.force_login(staff_user)

    response = client.get("/mediaserver")

    assert b"http://jellyfin.example:8096" in response.content
    assert JELLYFIN_TOKEN.encode() not in response.content


def test_admin_index_links_to_the_check(staff_client):
    response = staff_client.get("/admin/")
    assert response.status_code == 200
    assert b'href="/mediaserver"' in response.content
    assert b"Media server: test connection" in response.content


def test_credentials_in_a_server_url_are_not_shown(client, staff_user, settings):
    settings.MEDIASERVER_TYPE = "lyrion"
    settings.LYRION_URL = "http://admin:hunter2@lyrion.example:9000"
    client.force_login(staff_user)

    response = client.get("/mediaserver")

    assert b"http://lyrion.example:9000" in response.content
    assert b"hunter2" not in response.content
