"""Clustering end to end: real worker, Redis and PostgreSQL, synthetic analysed rows, local folder.

The library is 6 planted blobs of 40 tracks: each blob has its own region of
the embedding space, its own dominant mood and 8 artists of its own. Tracks
are written as tiny WAV files so the local adapter's ids (hash of the path)
match the rows.
"""

import threading
import time
import wave
from collections import Counter

import numpy as np
import pytest

from analysis.audio.labels import MSD_LABELS
from clustering import engine
from mediaservers.adapters.local import stable_id
from playlists.models import Playlist
from scheduling import runs
from scheduling.models import TaskStatus, WorkItem
from tests.factories import EmbeddingFactory, TrackAnalysisFactory, TrackFactory
from tests.mediaservers.fakes.catalog import Catalog
from tests.mediaservers.fakes.navidrome import FakeNavidrome
from tests.task_polling import wait_until_done

BLOBS, TRACKS_PER_BLOB, ARTISTS_PER_BLOB = 6, 40, 8
MAX_SONGS_PER_ARTIST = 3
# The engine's rule for 240 tracks and 10 wanted playlists: min(20, max(3, 240 // 40)).
MIN_PLAYLIST_SIZE = 6


@pytest.fixture
def music_dir(local_music_dir, settings):
    settings.CLUSTERING_RUNS = 40
    settings.ITERATIONS_PER_BATCH_JOB = 10
    settings.MAX_CONCURRENT_BATCH_JOBS = 2
    settings.NUM_CLUSTERS_MIN, settings.NUM_CLUSTERS_MAX = 4, 8
    settings.PCA_COMPONENTS_MIN, settings.PCA_COMPONENTS_MAX = 0, 10
    settings.MAX_SONGS_PER_ARTIST = MAX_SONGS_PER_ARTIST
    settings.TOP_N_PLAYLISTS = 10
    return local_music_dir


def write_tiny_wav(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as output:
        output.setnchannels(1)
        output.setsampwidth(2)
        output.setframerate(8000)
        output.writeframes(b"\0\0" * 80)


def planted_library(music_dir, *, item_ids=None, seed=7):
    """6 blobs x 40 analysed tracks: with files at the paths their ids hash, or with ``item_ids`` given."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(BLOBS, 200))
    for blob in range(BLOBS):
        for number in range(TRACKS_PER_BLOB):
            artist = f"Artist {blob}-{number % ARTISTS_PER_BLOB}"
            if item_ids is None:
                relative = f"{artist}/Album {blob}/{number:02d}.wav"
                write_tiny_wav(music_dir / relative)
                item_id = stable_id(relative)
            else:
                item_id = item_ids[blob * TRACKS_PER_BLOB + number]
            track = TrackFactory(item_id=item_id, author=artist, title=f"{number:02d}")
            moods = {label: float(rng.uniform(0.0, 0.1)) for label in MSD_LABELS[:12]}
            moods[MSD_LABELS[blob]] = float(rng.uniform(0.7, 0.9))
            TrackAnalysisFactory(track=track, moods=moods, tempo=80.0 + 15 * blob, energy=blob / BLOBS)
            EmbeddingFactory(track=track, vector=centres[blob] + rng.normal(size=200))


def start_clustering(client, **payload):
    response = client.post("/api/clustering/start", payload, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["task_type"] == "main_clustering"
    return response.json()["task_id"]


def automatic_files(playlist_dir):
    return sorted(path.name for path in playlist_dir.glob("*_automatic.m3u8"))


def test_clustering_writes_playlists_and_replaces_the_old_ones(celery_worker, staff_client, music_dir, settings):
    planted_library(music_dir)
    settings.PLAYLIST_DIR.mkdir()
    (settings.PLAYLIST_DIR / "Stale_automatic.m3u8").write_text("#EXTM3U\n")
    (settings.PLAYLIST_DIR / "Mine.m3u8").write_text("#EXTM3U\n")

    first_id = start_clustering(staff_client)
    first = wait_until_done(staff_client, first_id)

    assert first["state"] == "SUCCESS", first
    assert any("Progress: 40/40 runs." in line for line in first["details"]["log"])
    first_rows = list(Playlist.objects.filter(task_id=first_id))
    assert len(first_rows) >= 3
    assert automatic_files(settings.PLAYLIST_DIR) == sorted(row.mediaserver_playlist_id for row in first_rows)
    assert (settings.PLAYLIST_DIR / "Mine.m3u8").exists()
    assert not (settings.PLAYLIST_DIR / "Stale_automatic.m3u8").exists()

    body = staff_client.get("/api/playlists").json()
    assert set(body) == {row.name for row in first_rows}
    assert len(body) == len(first_rows)  # names are unique
    for name, songs in body.items():
        assert name.endswith("_automatic")
        assert len(songs) >= MIN_PLAYLIST_SIZE
        assert set(songs[0]) == {"item_id", "title", "author"}
        assert max(Counter(song["author"] for song in songs).values()) <= MAX_SONGS_PER_ARTIST
        m3u_entries = [
            line
            for line in (settings.PLAYLIST_DIR / f"{name}.m3u8").read_text().splitlines()
            if not line.startswith("#")
        ]
        assert len(m3u_entries) == len(songs)

    second_id = start_clustering(staff_client, clustering_runs=20)
    assert wait_until_done(staff_client, second_id)["state"] == "SUCCESS"
    second_rows = list(Playlist.objects.filter(task_id=second_id))
    assert automatic_files(settings.PLAYLIST_DIR) == sorted(row.mediaserver_playlist_id for row in second_rows)
    assert set(staff_client.get("/api/playlists").json()) == {row.name for row in second_rows}
    assert Playlist.objects.filter(task_id=first_id).count() == len(first_rows)  # kept as history


def test_clustering_replaces_the_automatic_playlists_on_navidrome(celery_worker, staff_client, music_dir, settings):
    with FakeNavidrome(Catalog.synthetic(albums=BLOBS * 5, tracks_per_album=8)) as fake:
        fake.serve_as(settings)
        track_ids = list(fake.track_ids.values())
        planted_library(music_dir, item_ids=track_ids)
        fake.playlists["stale"] = {"id": "stale", "name": "Old_automatic", "songs": track_ids[:3], "owner": "alice"}
        fake.playlists["mine"] = {"id": "mine", "name": "Mine", "songs": track_ids[:3], "owner": "alice"}
        for playlist in fake.playlists.values():
            playlist["created"] = "2024-01-01T00:00:00.000Z"

        task_id = start_clustering(staff_client)
        assert wait_until_done(staff_client, task_id)["state"] == "SUCCESS"

        rows = {row.mediaserver_playlist_id: row for row in Playlist.objects.filter(task_id=task_id)}
        assert rows
        assert set(fake.playlists) == {"mine", *rows}
        for playlist_id, row in rows.items():
            songs = fake.playlist_track_ids(playlist_id)
            assert songs == [entry.track.item_id for entry in row.entries.order_by("position")]
            assert len(songs) >= MIN_PLAYLIST_SIZE


def test_second_start_while_running_is_409(celery_worker, staff_client, music_dir):
    planted_library(music_dir)
    task_id = start_clustering(staff_client)
    response = staff_client.post("/api/clustering/start")
    assert response.status_code == 409
    assert "already running" in response.json()["error"]
    assert wait_until_done(staff_client, task_id)["state"] == "SUCCESS"


def test_cancel_mid_run_stops_batches_and_writes_no_playlists(celery_worker, staff_client, music_dir):
    planted_library(music_dir)
    task_id = start_clustering(staff_client, clustering_runs=400)
    deadline = time.monotonic() + 60
    while not WorkItem.objects.filter(run_id=task_id, finished_at__isnull=False).exists():
        assert time.monotonic() < deadline, "no batch finished"
        time.sleep(0.1)

    response = staff_client.post(f"/api/cancel/{task_id}")
    assert response.status_code == 200
    assert wait_until_done(staff_client, task_id)["state"] == "REVOKED"
    time.sleep(3)  # running batches notice within a second (one cancel check per second)

    assert not TaskStatus.objects.filter(parent_id=task_id, status__in=("PENDING", "STARTED", "PROGRESS")).exists()
    assert WorkItem.objects.filter(run_id=task_id, child__isnull=True).exists()  # never launched
    assert not Playlist.objects.exists()
    assert automatic_files(music_dir.parent / "playlists") == []


class WatchedBatches:
    """engine.run_batch, counting the runs each batch starts and the batches still inside it."""

    def __init__(self, run_batch):
        self._run_batch = run_batch
        self._lock = threading.Lock()
        self.runs_started, self.running, self.results = 0, 0, []

    def __call__(self, *, should_stop, **kwargs):
        def counting_should_stop():
            stop = should_stop()
            with self._lock:
                self.runs_started += not stop
            return stop

        with self._lock:
            self.running += 1
        try:
            result = self._run_batch(**kwargs, should_stop=counting_should_stop)
        finally:
            with self._lock:
                self.running -= 1
        self.results.append(result)
        return result


def wait_for(predicate, *, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_cancel_mid_batch_stops_the_running_batches_between_runs(
    celery_worker, staff_client, music_dir, settings, monkeypatch
):
    planted_library(music_dir)
    settings.ITERATIONS_PER_BATCH_JOB = 5000  # minutes per batch if nothing stopped it
    watched = WatchedBatches(engine.run_batch)
    monkeypatch.setattr(engine, "run_batch", watched)
    task_id = start_clustering(staff_client, clustering_runs=20000)
    wait_for(lambda: watched.running == 2 and watched.runs_started >= 6, timeout=60, what="batches never ran")

    cancelled_at = time.monotonic()
    assert staff_client.post(f"/api/cancel/{task_id}").status_code == 200
    assert wait_until_done(staff_client, task_id, timeout=15)["state"] == "REVOKED"
    wait_for(lambda: watched.running == 0, timeout=15, what="a batch kept running after the cancel")
    stopped_after = time.monotonic() - cancelled_at

    # One cancel check per second, plus the run in progress (tens of milliseconds here); the
    # margin is for a loaded machine, as a batch left alone would run for minutes.
    assert stopped_after < 8, stopped_after
    assert len(watched.results) == 2
    assert all(result.stopped and 0 < result.runs < 5000 for result in watched.results)
    batches = WorkItem.objects.filter(run_id=task_id)
    assert batches.filter(child__isnull=False).count() == 2  # nothing launched after the cancel
    assert not batches.filter(finished_at__isnull=False).exists()  # partial results discarded
    assert set(TaskStatus.objects.filter(parent_id=task_id).values_list("status", flat=True)) == {"REVOKED"}
    assert runs.runs_reconcile() == {"advanced_runs": 0, "failed_runs": 0}
    assert TaskStatus.objects.get(task_id=task_id).status == "REVOKED"
    assert not Playlist.objects.exists()
    assert automatic_files(music_dir.parent / "playlists") == []


def test_a_batch_cancelled_on_its_own_stops_and_is_not_a_failure(
    celery_worker, staff_client, music_dir, settings, monkeypatch
):
    planted_library(music_dir)
    settings.CLUSTERING_MAX_FAILED_BATCHES = 0
    watched, released = WatchedBatches(engine.run_batch), threading.Event()

    def first_batch_held_until_released(**kwargs):
        if kwargs["first_run_index"] == 0:
            released.wait(timeout=60)
        return watched(**kwargs)

    monkeypatch.setattr(engine, "run_batch", first_batch_held_until_released)
    task_id = start_clustering(staff_client)
    first = WorkItem.objects.filter(run_id=task_id, position=0)
    wait_for(lambda: first.filter(child__status="STARTED").exists(), timeout=60, what="batch 0 never started")

    assert staff_client.post(f"/api/cancel/{first.get().child_id}").status_code == 200
    released.set()
    status = wait_until_done(staff_client, task_id)

    assert status["state"] == "SUCCESS", status
    assert status["details"]["batches_failed"] == 0
    assert [result.runs for result in watched.results if result.stopped] == [0]
    assert first.get().child.status == "REVOKED"
    assert Playlist.objects.filter(task_id=task_id).exists()


def test_a_batch_that_raises_is_counted_and_the_job_still_finishes(celery_worker, staff_client, music_dir, monkeypatch):
    planted_library(music_dir)
    real_run_batch = engine.run_batch

    def run_batch_failing_once(**kwargs):
        if kwargs["first_run_index"] == 10:
            raise RuntimeError("planted failure")
        return real_run_batch(**kwargs)

    monkeypatch.setattr(engine, "run_batch", run_batch_failing_once)
    task_id = start_clustering(staff_client)
    status = wait_until_done(staff_client, task_id)

    assert status["state"] == "SUCCESS", status
    assert status["details"]["batches_failed"] == 1
    failed = TaskStatus.objects.get(parent_id=task_id, status="FAILURE")
    assert "planted failure" in failed.details["status_message"]
    assert Playlist.objects.filter(task_id=task_id).exists()


def test_too_many_failed_batches_fail_the_job(celery_worker, staff_client, music_dir, monkeypatch, settings):
    planted_library(music_dir)
    settings.CLUSTERING_MAX_FAILED_BATCHES = 1

    def run_batch_always_failing(**kwargs):
        raise RuntimeError("broken engine")

    monkeypatch.setattr(engine, "run_batch", run_batch_always_failing)
    status = wait_until_done(staff_client, start_clustering(staff_client))

    assert status["state"] == "FAILURE"
    assert "batches failed (limit 1)" in status["details"]["status_message"]
    assert not Playlist.objects.exists()
