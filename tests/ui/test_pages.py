"""The dashboard and cleaning pages through Django's test client: who sees what."""

import json

import pytest
from django.utils import timezone

from analysis.models import AnalysisFailure
from tests.factories import EmbeddingFactory, TaskStatusFactory, TrackAnalysisFactory, TrackFactory

pytestmark = pytest.mark.django_db

PAGES = ("/", "/cleaning", "/mediaserver")


def initial_task(response) -> dict | None:
    """The task payload the page hands its script for the first paint."""
    html = response.content.decode()
    start = html.index('<script id="initial-task" type="application/json">') + len(
        '<script id="initial-task" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/login")


def test_dashboard_shows_library_counts(client, staff_user):
    for _ in range(3):
        track = TrackFactory()
        TrackAnalysisFactory(track=track)
        EmbeddingFactory(track=track)
    TrackFactory()
    AnalysisFailure.objects.create(item_id="broken", error_type="AudioDecodeError", reason="not audio")
    client.force_login(staff_user)

    response = client.get("/")

    assert response.context["counts"] == {"tracks": 4, "analysed": 3, "failures": 1}
    for phrase in (b"4 tracks known", b"3 analysed", b"1 failed to analyse"):
        assert phrase in response.content
    assert b'href="/admin/analysis/analysisfailure/"' in response.content


def test_staff_get_the_start_form_and_cancel_button(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/")
    assert response.status_code == 200
    assert b'data-start-url="/api/analysis/start"' in response.content
    assert b'name="num_recent_albums"' in response.content
    assert b'data-action="cancel"' in response.content
    assert b"audiomuse/task_panel.js" in response.content


def test_non_staff_see_status_without_controls(client, plain_user):
    client.force_login(plain_user)
    for path in ("/", "/cleaning"):
        response = client.get(path)
        assert response.status_code == 200
        assert b"data-task-panel" in response.content
        assert b"data-start-url" not in response.content
        assert b'data-action="cancel"' not in response.content


def test_navigation_shows_staff_links_only_to_staff(client, staff_user, plain_user):
    client.force_login(plain_user)
    listener_page = client.get("/").content
    client.force_login(staff_user)
    owner_page = client.get("/").content

    for link in (b'href="/"', b'href="/cleaning"', b'href="/api/schema/swagger-ui/"'):
        assert link in listener_page and link in owner_page
    for link in (b'href="/mediaserver"', b'href="/admin/"'):
        assert link in owner_page
        assert link not in listener_page


def test_dashboard_hands_the_running_task_to_its_script(client, plain_user):
    TaskStatusFactory(task_type="main_analysis", status="SUCCESS")
    running = TaskStatusFactory(task_type="main_analysis", status="PROGRESS", progress=40)
    client.force_login(plain_user)

    task = initial_task(client.get("/"))

    assert task["task_id"] == running.task_id
    assert task["progress"] == 40


def test_dashboard_without_any_task_hands_null(client, plain_user):
    client.force_login(plain_user)
    assert initial_task(client.get("/")) is None


def test_cleaning_page_shows_the_safety_limit(client, staff_user, settings):
    settings.CLEANING_SAFETY_LIMIT = 7
    client.force_login(staff_user)
    response = client.get("/cleaning")
    assert b"at most <strong>7</strong> tracks" in response.content
    assert b'data-start-url="/api/cleaning/start"' in response.content
    assert b"Cleaning has not run yet" in response.content


def test_cleaning_page_shows_the_last_result(client, plain_user):
    details = {"status_message": "Deleted 2 of 5", "log": [], "orphans_found": 5, "deleted": 2, "capped": True,
               "deleted_tracks": ["Gone - One", "Gone - Two"]}  # fmt: skip
    older = {**details, "deleted": 1, "deleted_tracks": ["Old - Track"], "capped": False}
    TaskStatusFactory(task_type="cleaning", status="SUCCESS", details=older)
    latest = TaskStatusFactory(task_type="cleaning", status="SUCCESS", details=details, finished_at=timezone.now())
    client.force_login(plain_user)

    response = client.get("/cleaning")

    assert response.context["result"]["deleted"] == 2
    assert b"Capped by the safety limit" in response.content
    assert b"Gone - One" in response.content and b"Gone - Two" in response.content
    assert b"Old - Track" not in response.content
    assert initial_task(response)["task_id"] == latest.task_id


def test_cleaning_page_shows_a_failed_cleaning_message(client, plain_user):
    TaskStatusFactory(
        task_type="cleaning", status="FAILURE", details={"status_message": "Media server error, nothing deleted"}
    )
    client.force_login(plain_user)
    response = client.get("/cleaning")
    assert b"Media server error, nothing deleted" in response.content
