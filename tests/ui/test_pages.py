"""The dashboard and cleaning pages through Django's test client: who sees what."""

import json

import pytest
from django.utils import timezone

from analysis.models import AnalysisFailure
from playlists.models import PlaylistOrigin
from tests.factories import (
    EmbeddingFactory,
    PlaylistEntryFactory,
    PlaylistFactory,
    TaskStatusFactory,
    TrackAnalysisFactory,
    TrackFactory,
)

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


def test_staff_get_the_clustering_form_with_the_settings_defaults(client, staff_user, settings):
    settings.CLUSTER_ALGORITHM = "gmm"
    settings.TOP_N_PLAYLISTS = 7
    settings.CLUSTERING_RUNS = 123
    settings.NUM_CLUSTERS_MIN, settings.NUM_CLUSTERS_MAX = 11, 22
    settings.DBSCAN_EPS_MIN = 0.15
    settings.SCORE_WEIGHT_DIVERSITY, settings.SCORE_WEIGHT_SILHOUETTE = 2.5, 0.25
    settings.ENABLE_CLUSTERING_EMBEDDINGS = False
    client.force_login(staff_user)

    html = client.get("/").content.decode()

    assert 'data-start-url="/api/clustering/start"' in html
    assert '<option value="gmm" selected>' in html
    for name, value in (("top_n_playlists", "7"), ("clustering_runs", "123"), ("num_clusters_min", "11"),
                        ("num_clusters_max", "22"), ("dbscan_eps_min", "0.15"), ("score_weight_diversity", "2.5"),
                        ("score_weight_silhouette", "0.25"), ("pca_components_max", "199")):  # fmt: skip
        assert f'name="{name}"' in html
        assert f'id="{name}" name="{name}" min="0"' in html and f'value="{value}"' in html
    # The advanced parameters sit in a collapsed <details>, after the basic ones.
    assert html.index("<summary>Advanced</summary>") < html.index('name="dbscan_eps_min"')
    assert html.index('name="num_clusters_max"') < html.index("<summary>Advanced</summary>")
    assert 'name="enable_clustering_embeddings">' in html  # unchecked: score vectors


def test_non_staff_get_no_clustering_form(client, plain_user):
    client.force_login(plain_user)
    html = client.get("/").content.decode()
    assert "Start Clustering" not in html
    assert 'name="clustering_method"' not in html
    assert "Generated Playlists" in html


def test_generated_playlists_show_the_latest_set_with_their_songs(client, plain_user):
    old_run = TaskStatusFactory(task_type="main_clustering", status="SUCCESS")
    PlaylistFactory(name="Old_Set_automatic", origin=PlaylistOrigin.CLUSTERING, task=old_run)
    run = TaskStatusFactory(task_type="main_clustering", status="SUCCESS")
    rock = PlaylistFactory(name="Rock_Fast_automatic", origin=PlaylistOrigin.CLUSTERING, task=run)
    PlaylistEntryFactory(playlist=rock, position=1, track=TrackFactory(author="Band B", title="Second"))
    PlaylistEntryFactory(playlist=rock, position=0, track=TrackFactory(author="Band A", title="First"))
    PlaylistFactory(name="My mix", origin=PlaylistOrigin.MANUAL)
    client.force_login(plain_user)

    html = client.get("/").content.decode()

    assert "Generated Playlists" in html
    assert "Rock_Fast_automatic" in html and "(2 songs)" in html
    assert html.index("Band A - First") < html.index("Band B - Second")
    assert '<details data-playlist="Rock_Fast_automatic">' in html
    assert "Old_Set_automatic" not in html and "My mix" not in html
    assert "No playlists yet" not in html


def test_generated_playlists_empty_state(client, plain_user):
    client.force_login(plain_user)
    assert b"No playlists yet: run clustering." in client.get("/").content


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
