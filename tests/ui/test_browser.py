"""The pages in a real browser: Start Analysis and Start Cleaning, watched through the status panel.

The app runs on pytest-django's live server, a real Celery worker runs the
jobs against a local folder of generated audio; screenshots go to tmp_path.
"""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from analysis.models import Track
from tests.analysis.music_library import write_album
from tests.factories import TaskStatusFactory, TrackFactory

TASK_TIMEOUT_MS = 90_000


def test_a_second_start_shows_the_conflict(staff_page, music_dir, tmp_path):
    # A task that is already running, made directly so the check cannot race a fast analysis.
    TaskStatusFactory(task_type="main_clustering", status="PROGRESS", progress=40, started_at=timezone.now())
    page = staff_page
    page.reload()
    page.get_by_role("button", name="Start Analysis").click()
    expect(page.locator('form[data-form="analysis"] [data-field="error"]')).to_contain_text("already running")
    page.screenshot(path=tmp_path / "dashboard-conflict.png", full_page=True)


def test_start_analysis_and_watch_it_finish(staff_page, celery_worker, music_dir, tmp_path):
    write_album(music_dir, artist="Alpha", album="First Light", tracks=2, seed=1)
    write_album(music_dir, artist="Beta", album="Second Wind", tracks=2, seed=2)
    page = staff_page
    panel = page.locator("[data-task-panel]")

    page.fill("#num_recent_albums", "0")
    page.get_by_role("button", name="Start Analysis").click()
    # Four short clips may be analysed before the first poll: expect the task, whatever its state.
    expect(panel.locator('[data-field="task-type"]')).to_have_text("main_analysis")

    expect(panel.locator('[data-field="status"]')).to_have_text("SUCCESS", timeout=TASK_TIMEOUT_MS)
    expect(panel.locator('[data-field="progress-text"]')).to_have_text("100%")
    # The page reloads when the task ends, so the server-rendered counts include the new tracks.
    expect(page.locator('[data-count="analysed"]')).to_have_text("4 analysed", timeout=10_000)
    expect(panel.locator('[data-field="status"]')).to_have_text("SUCCESS")
    expect(panel.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(panel.locator('[data-field="log"]')).to_contain_text("Done: 4 tracks analysed")
    expect(panel.locator('[data-field="running-time"]')).to_have_text(re.compile(r"^\d+:\d\d:\d\d$"))
    expect(panel.get_by_role("button", name="Cancel")).to_be_hidden()
    page.screenshot(path=tmp_path / "dashboard-after-analysis.png", full_page=True)


def test_start_cleaning_and_see_what_it_deleted(staff_page, celery_worker, music_dir, settings, tmp_path):
    write_album(music_dir, artist="Alpha", album="Still Here", tracks=1, seed=1)
    settings.CLEANING_SAFETY_LIMIT = 2
    for title in ("Gone One", "Gone Two", "Gone Three"):
        TrackFactory(title=title, author="Vanished")
    page = staff_page

    page.get_by_role("link", name="Cleaning").click()
    expect(page.locator('[data-field="safety-limit"]')).to_contain_text("at most 2 tracks")
    page.get_by_role("button", name="Start Cleaning").click()

    result = page.locator("[data-cleaning-result]")
    expect(result.locator('[data-field="deleted"]')).to_have_text("2", timeout=TASK_TIMEOUT_MS)
    expect(result.locator('[data-field="capped"]')).to_contain_text("Capped by the safety limit")
    expect(result.locator('[data-field="deleted-names"] li')).to_have_count(2)
    expect(result).to_contain_text("Vanished - Gone")
    expect(page.locator('[data-task-panel] [data-field="status"]')).to_have_text("SUCCESS")
    assert Track.objects.filter(author="Vanished").count() == 1
    page.screenshot(path=tmp_path / "cleaning-after-run.png", full_page=True)


def test_admin_links_to_the_media_server_check(staff_page, music_dir, tmp_path):
    write_album(music_dir, artist="Alpha", album="First Light", tracks=1, seed=1)
    page = staff_page

    page.goto("/admin/")
    page.screenshot(path=tmp_path / "admin-index.png", full_page=True)
    page.get_by_role("link", name="Media server: test connection").click()
    page.get_by_role("button", name="Test connection").click()

    expect(page.locator('[data-field="libraries"]')).to_have_text("music")
    expect(page.locator('[data-field="album-count"]')).to_have_text("1")
    expect(page.locator("[data-check-result]")).to_contain_text("First Light")
    page.screenshot(path=tmp_path / "mediaserver-check.png", full_page=True)


def test_cancel_from_the_panel_while_the_clock_ticks(staff_page):
    started = timezone.now() - timedelta(seconds=65)
    task = TaskStatusFactory(task_type="main_analysis", status="PROGRESS", progress=30, started_at=started)
    page = staff_page
    page.reload()
    panel = page.locator("[data-task-panel]")
    clock = panel.locator('[data-field="running-time"]')

    expect(panel.locator('[data-field="task-id"]')).to_have_text(task.task_id)
    expect(clock).to_have_text(re.compile(r"^0:01:0\d$"))
    first_reading = clock.inner_text()
    expect(clock).not_to_have_text(first_reading, timeout=3_000)  # ticks between polls too
    panel.get_by_role("button", name="Cancel").click()

    expect(panel.locator('[data-field="status"]')).to_have_text("REVOKED")
    expect(panel.get_by_role("button", name="Cancel")).to_be_hidden()
    task.refresh_from_db()
    assert task.status == "REVOKED"


def test_panel_reports_a_lost_connection(staff_page):
    page = staff_page
    page.route("**/api/active_tasks", lambda route: route.abort())
    expect(page.locator('[data-task-panel] [data-field="error"]')).to_contain_text("Network error")
    page.unroute("**/api/active_tasks")
    expect(page.locator('[data-task-panel] [data-field="error"]')).to_be_hidden()


def test_start_clustering_from_the_basic_form(staff_page, celery_worker, music_dir, tmp_path):
    page = staff_page
    panel = page.locator("[data-task-panel]")

    page.select_option("#clustering_method", "kmeans")
    page.fill("#clustering_runs", "2")
    page.fill("#num_clusters_max", "")  # an emptied field is left to the API's default
    with page.expect_request("**/api/clustering/start") as request:
        page.get_by_role("button", name="Start Clustering").click()

    payload = request.value.post_data_json
    assert payload["clustering_method"] == "kmeans"
    assert payload["clustering_runs"] == 2
    assert payload["enable_clustering_embeddings"] is True
    assert "num_clusters_max" not in payload
    expect(panel.locator('[data-field="task-type"]')).to_have_text("main_clustering", timeout=TASK_TIMEOUT_MS)
    expect(page.locator('form[data-form="clustering"] [data-field="error"]')).to_be_hidden()
    page.screenshot(path=tmp_path / "dashboard-clustering.png", full_page=True)
