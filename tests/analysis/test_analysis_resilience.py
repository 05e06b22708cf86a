"""Analysis survives what real deployments do to it: killed workers, vanishing servers."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection

from analysis.models import Embedding, Track, TrackAnalysis
from scheduling import runs
from scheduling.models import TaskStatus
from tests.analysis.music_library import write_album
from tests.analysis.test_analysis_pipeline import start_analysis
from tests.infrastructure import REPO_DIR
from tests.mediaservers.fakes.catalog import Catalog
from tests.mediaservers.fakes.jellyfin import FakeJellyfin
from tests.task_polling import wait_until_done


def assert_consistent():
    """Every stored track has both its scores and its embedding (all or nothing)."""
    assert Track.objects.count() == TrackAnalysis.objects.count() == Embedding.objects.count()


def wait_for(predicate, *, timeout=120.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(interval)


def start_worker_process(music_dir, tmp_path) -> subprocess.Popen:
    """A real `celery worker` process on the test database, in its own process group."""
    db = connection.settings_dict
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST'].replace('/', '%2F')}/{db['NAME']}",
        "REDIS_URL": django_settings.REDIS_URL,
        "MEDIASERVER_TYPE": "local",
        "MUSIC_DIR": str(music_dir),
        "TEMP_DIR": str(tmp_path / "work"),
        "MAX_QUEUED_ANALYSIS_JOBS": "2",
    }
    command = [sys.executable, "-m", "celery", "-A", "audiomuse", "worker", "-Q", "high,default",
               "--concurrency", "1", "-l", "warning", "-n", f"killable-{time.monotonic_ns()}@%h"]  # fmt: skip
    return subprocess.Popen(command, cwd=REPO_DIR, env=environment, start_new_session=True)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_album_is_recovered_by_the_reconciler(tmp_path, settings, staff_client):
    music_dir = tmp_path / "music"
    for number in range(3):
        write_album(music_dir, artist=f"Artist {number}", album=f"Album {number}", tracks=4, seed=40 + number)
    settings.MEDIASERVER_TYPE, settings.MUSIC_DIR, settings.TEMP_DIR = "local", music_dir, tmp_path / "work"
    settings.ANALYSIS_STALE_SECONDS = 2

    first_worker = start_worker_process(music_dir, tmp_path)
    try:
        task_id = start_analysis(staff_client)
        wait_for(lambda: Track.objects.count() >= 2)  # mid-album: the first album has 4 tracks
    finally:
        os.killpg(first_worker.pid, signal.SIGKILL)
        first_worker.wait()
    killed_at = Track.objects.count()
    assert killed_at < 12

    second_worker = start_worker_process(music_dir, tmp_path)
    try:
        time.sleep(settings.ANALYSIS_STALE_SECONDS + 0.5)

        def finished():
            runs.runs_reconcile()
            return TaskStatus.objects.get(task_id=task_id).status in ("SUCCESS", "FAILURE", "REVOKED")

        wait_for(finished, timeout=180, interval=1.0)
    finally:
        second_worker.terminate()
        second_worker.wait(timeout=60)

    run = TaskStatus.objects.get(task_id=task_id)
    assert run.status == "SUCCESS"
    # The summary counts the stored analyses, including the tracks the killed worker saved.
    assert run.details["status_message"] == "Done: 12 tracks analysed, 0 failed", run.details["status_message"]
    assert Track.objects.count() == 12
    assert Track.objects.values("item_id").distinct().count() == 12
    assert_consistent()
    assert TaskStatus.objects.filter(parent_id=task_id, status="REVOKED").exists()  # the restarted album


def test_media_server_going_away_fails_the_run_with_a_clear_message(celery_worker, staff_client, settings, tmp_path):
    music_dir = tmp_path / "music"
    for number in range(4):
        write_album(music_dir, artist=f"Artist {number}", album=f"Album {number}", tracks=3, seed=60 + number)
    with FakeJellyfin(Catalog.from_music_dir(music_dir)) as fake:
        fake.serve_as(settings)
        settings.MEDIASERVER_TIMEOUT = 2.0
        settings.TEMP_DIR = tmp_path / "work"
        settings.MAX_QUEUED_ANALYSIS_JOBS = 1
        task_id = start_analysis(staff_client)
        wait_for(lambda: Track.objects.exists())
    # The server is gone now, in the middle of the run.
    status = wait_until_done(staff_client, task_id, timeout=180)
    assert status["state"] == "FAILURE"
    assert "Media server unavailable" in status["status_message"]
    assert fake.url.split("//")[1] in status["status_message"]
    assert "jellyfin-api-key" not in str(status)
    assert_consistent()
    assert 1 <= Track.objects.count() < 12
    assert not TaskStatus.objects.filter(parent_id=task_id, status__in=("PENDING", "STARTED", "PROGRESS")).exists()
