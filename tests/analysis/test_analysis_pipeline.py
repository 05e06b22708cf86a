"""Analysis end to end: real worker, real Redis and PostgreSQL, real audio, local folder."""

import time
from pathlib import Path

import pytest

from analysis.models import AnalysisFailure, Embedding, Track, TrackAnalysis
from scheduling.models import TaskStatus, WorkItem
from similarity.index_manager import IndexManager
from similarity.models import VectorIndex
from tests.analysis.music_library import write_album, write_corrupt_file, write_silent_file
from tests.task_polling import wait_until_done


@pytest.fixture
def music_dir(local_music_dir, settings):
    settings.MAX_QUEUED_ANALYSIS_JOBS = 2
    settings.REBUILD_INDEX_BATCH_SIZE = 2
    return local_music_dir


def start_analysis(client, **payload):
    response = client.post("/api/analysis/start", payload, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["task_type"] == "main_analysis"
    return response.json()["task_id"]


def test_analysis_of_a_library_with_bad_files(celery_worker, staff_client, music_dir):
    write_album(music_dir, artist="Alpha", album="First", tracks=3, seed=1)
    write_album(music_dir, artist="Beta", album="Second", tracks=2, seed=2)
    write_album(music_dir, artist="Gamma", album="Third", tracks=2, seed=3)
    write_corrupt_file(music_dir / "Gamma" / "Third" / "03 - Broken.mp3")
    write_silent_file(music_dir / "Gamma" / "Third" / "04 - Silence.wav")

    seen_active = []
    task_id = start_analysis(staff_client)
    status = wait_until_done(staff_client, task_id, watch_active=seen_active)

    assert status["state"] == "SUCCESS", status
    assert status["details"]["tracks_analysed"] == 7
    assert status["details"]["tracks_failed"] == 2
    assert any(active.get("task_id") == task_id for active in seen_active)
    assert Track.objects.count() == TrackAnalysis.objects.count() == Embedding.objects.count() == 7
    reasons = dict(AnalysisFailure.objects.values_list("error_type", "reason"))
    assert set(reasons) == {"AudioDecodeError", "SilentAudioError"}
    assert all(reasons.values())
    child_logs = " ".join(line for row in TaskStatus.objects.filter(parent_id=task_id) for line in row.details["log"])
    assert "Broken" in child_logs and "Silence" in child_logs

    stored = VectorIndex.objects.get()
    assert stored.size == 7
    manager = IndexManager()
    assert len(manager.current()) == 7
    manager.close()


def test_rerun_analyses_nothing_and_a_new_album_only_itself(celery_worker, staff_client, music_dir):
    write_album(music_dir, artist="Alpha", album="First", tracks=2, seed=1)
    first = wait_until_done(staff_client, start_analysis(staff_client))
    assert first["details"]["tracks_analysed"] == 2
    analysed_at = dict(TrackAnalysis.objects.values_list("track__item_id", "analysed_at"))

    again = wait_until_done(staff_client, start_analysis(staff_client))
    assert again["state"] == "SUCCESS"
    assert again["details"]["albums_to_analyse"] == 0
    assert dict(TrackAnalysis.objects.values_list("track__item_id", "analysed_at")) == analysed_at

    write_album(music_dir, artist="Delta", album="Fresh", tracks=2, seed=9)
    third = wait_until_done(staff_client, start_analysis(staff_client))
    assert third["details"]["albums_to_analyse"] == 1
    assert third["details"]["tracks_analysed"] == 2
    assert Track.objects.count() == 4
    rows = TrackAnalysis.objects.values_list("track__item_id", "analysed_at")
    unchanged = {item_id: when for item_id, when in rows if item_id in analysed_at}
    assert unchanged == analysed_at


def test_second_start_while_running_is_409(celery_worker, staff_client, music_dir):
    write_album(music_dir, artist="Alpha", album="First", tracks=2, seed=1)
    task_id = start_analysis(staff_client)
    response = staff_client.post("/api/analysis/start")
    assert response.status_code == 409
    assert "already running" in response.json()["error"]
    wait_until_done(staff_client, task_id)


def test_cancel_mid_run_stops_children_and_leaves_no_half_written_track(celery_worker, staff_client, music_dir):
    for number in range(5):
        write_album(music_dir, artist=f"Artist {number}", album=f"Album {number}", tracks=3, seed=10 + number)
    task_id = start_analysis(staff_client)
    deadline = time.monotonic() + 120
    while not Track.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)

    response = staff_client.post(f"/api/cancel/{task_id}")
    assert response.status_code == 200
    assert wait_until_done(staff_client, task_id)["state"] == "REVOKED"
    time.sleep(3)  # children notice between tracks

    assert not TaskStatus.objects.filter(parent_id=task_id, status__in=("PENDING", "STARTED", "PROGRESS")).exists()
    assert Track.objects.count() < 15
    assert Track.objects.count() == TrackAnalysis.objects.count() == Embedding.objects.count()
    work_dir = Path(music_dir.parent / "work")
    leftovers = [p for p in work_dir.rglob("*") if p.is_file()] if work_dir.exists() else []
    assert leftovers == []
    assert WorkItem.objects.filter(run_id=task_id, child__isnull=True).exists()  # later albums never started


def test_analysis_start_needs_staff(user_client):
    assert user_client.post("/api/analysis/start").status_code == 403
