"""Clustering speed: whole K-Means jobs through Celery on synthetic libraries, with 1 and 2 worker processes.

    python -m bench.clustering [--sizes 10000 100000] [--runs 40 20] [--runs-per-batch 5] [--processes 1 2]

For each size, a planted library (bench/clustering_engine.py's 64 blobs in
200-d, each with a dominant MSD mood) is written to a throw-away PostgreSQL
as Track, TrackAnalysis and Embedding rows, with a tiny WAV per track in a
temporary music folder so the local-folder media server knows every id and
the job can write its playlists. Then, for each worker size, a real
`celery worker --concurrency N` process is started and two jobs run through
the product's code path (clustering_start -> main_clustering -> batches ->
commit) with the default K-Means settings:

- cold: the first job after the worker starts; every worker process reads
  the library from PostgreSQL during its first batch, as after an analysis;
- warm: the same job again; the processes reuse the library they read.

Reported per job: wall time from start to SUCCESS, the batch phase (first
batch started -> last batch finished), the commit (last batch -> SUCCESS:
post-processing, naming, scanning the music folder, writing .m3u8 files),
and runs/s over the wall time and over the batch phase. The library read is
also timed alone in this process. The machine's load average is printed
with every job: other processes on a shared 2-core host slow the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
# Run as a script, bench/ comes first on the path and this file would shadow the clustering app.
sys.path[:] = [str(REPO_DIR), *(entry for entry in sys.path[1:] if entry != str(REPO_DIR))]

from bench.clustering_engine import SyntheticTracks, synthetic_tracks  # noqa: E402
from bench.environment import django_with_services  # noqa: E402
from clustering.engine.defaults import OTHER_FEATURE_LABELS  # noqa: E402

TERMINAL_STATES = ("SUCCESS", "FAILURE", "REVOKED")
INSERT_CHUNK = 5000
JOB_TIMEOUT_SECONDS = 3600


def tiny_wav() -> bytes:
    """A valid 10 ms silent WAV: enough for the local adapter to list it, cheap to write 100k times."""
    content = io.BytesIO()
    with wave.open(content, "wb") as output:
        output.setnchannels(1)
        output.setsampwidth(2)
        output.setframerate(8000)
        output.writeframes(b"\0\0" * 80)
    return content.getvalue()


def library_write(tracks: SyntheticTracks, *, music_dir: Path) -> None:
    """A WAV per track under ``music_dir`` and its analysed rows, replacing any previous library."""
    from django.db import connection

    from analysis.models import Track

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Track._meta.db_table} CASCADE")  # analyses, embeddings, playlist entries
    shutil.rmtree(music_dir, ignore_errors=True)
    content = tiny_wav()
    for start in range(0, len(tracks), INSERT_CHUNK):
        _chunk_write(tracks, range(start, min(start + INSERT_CHUNK, len(tracks))), music_dir=music_dir, wav=content)


def _chunk_write(tracks: SyntheticTracks, rows: range, *, music_dir: Path, wav: bytes) -> None:
    from django.utils import timezone

    from analysis.models import Embedding, Track, TrackAnalysis
    from mediaservers.adapters.local import stable_id

    created = []
    for row in rows:
        relative = f"{tracks.artists[row]}/Album/{row:06d}.wav"
        path = music_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(wav)
        created.append(
            Track(item_id=stable_id(relative), server_type="local", title=f"Track {row}",
                  author=tracks.artists[row], album="Album", path=str(path))
        )  # fmt: skip
    Track.objects.bulk_create(created)
    now = timezone.now()
    TrackAnalysis.objects.bulk_create(
        TrackAnalysis(track=track, tempo=float(tracks.tempo_bpm[row]), energy=float(tracks.energy[row]),
                      moods=_probabilities(tracks.mood_labels, tracks.moods[row]),
                      other_features=_probabilities(OTHER_FEATURE_LABELS, tracks.other_features[row]),
                      key="C", scale="major", model_version="bench", analysed_at=now)
        for track, row in zip(created, rows, strict=True)
    )  # fmt: skip
    Embedding.objects.bulk_create(
        Embedding(track=track, vector=tracks.embeddings[row], model_version="bench")
        for track, row in zip(created, rows, strict=True)
    )


def _probabilities(labels, values) -> dict[str, float]:
    return {label: round(float(value), 4) for label, value in zip(labels, values, strict=True)}


def start_worker(processes: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "audiomuse", "worker", "-Q", "high,default",
               "--concurrency", str(processes), "-l", "warning", "-n", f"benchclustering{processes}@%h"]  # fmt: skip
    # The worker's banner would break up the table; its warnings and errors (stderr) still show.
    return subprocess.Popen(
        command, cwd=REPO_DIR, env=dict(os.environ), stdout=subprocess.DEVNULL, start_new_session=True
    )


def wait_for_worker(timeout: float = 120.0) -> None:
    from audiomuse.celery import app

    deadline = time.monotonic() + timeout
    while not app.control.ping(timeout=1.0):
        if time.monotonic() > deadline:
            raise SystemExit("the Celery worker did not answer within two minutes")


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()  # warm shutdown: lets a task in progress finish
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def clustering_job(*, runs: int) -> dict:
    """Start a job as the API does, wait for it to end, and time its phases from the database rows."""
    from clustering import jobs
    from playlists.models import Playlist
    from scheduling.models import TaskStatus, WorkItem

    load_before = os.getloadavg()[0]
    started = time.monotonic()
    run = jobs.clustering_start(params={"clustering_runs": runs})
    deadline = started + JOB_TIMEOUT_SECONDS
    while (run := TaskStatus.objects.get(task_id=run.task_id)).status not in TERMINAL_STATES:
        if time.monotonic() > deadline:
            raise SystemExit(f"job {run.task_id} still {run.status} after {JOB_TIMEOUT_SECONDS} s")
        time.sleep(0.2)
    wall = time.monotonic() - started
    batches = list(WorkItem.objects.filter(run_id=run.task_id).select_related("child").order_by("position"))
    batch_started = [batch.child.started_at for batch in batches if batch.child and batch.child.started_at]
    batch_finished = [batch.finished_at for batch in batches if batch.finished_at]
    first_started = min(batch_started, default=None)
    last_finished = max(batch_finished, default=None)
    batch_phase = _seconds(first_started, last_finished)
    return {
        "state": run.status,
        "message": run.details.get("status_message", ""),
        "runs": runs,
        "playlists": Playlist.objects.filter(task_id=run.task_id).count(),
        "wall_seconds": round(wall, 2),
        "batch_phase_seconds": batch_phase,
        "commit_seconds": _seconds(last_finished, run.finished_at),
        # The first batch of each worker process includes reading the library.
        "batch_seconds": [_seconds(batch.child and batch.child.started_at, batch.finished_at) for batch in batches],
        "runs_per_second_wall": round(runs / wall, 3),
        "runs_per_second_batch_phase": round(runs / batch_phase, 3) if batch_phase else None,
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def _seconds(start, end) -> float | None:
    return round((end - start).total_seconds(), 2) if start and end else None


def library_read_seconds() -> tuple[float, int]:
    """How long one process takes to read the library from PostgreSQL, and the tracks per run."""
    from clustering import selectors
    from clustering.engine import ClusteringConfig, sampling_plan

    started = time.monotonic()
    data = selectors.clustering_data_load(chunk_size=1000)
    seconds = time.monotonic() - started
    return round(seconds, 2), sampling_plan(data=data, settings=ClusteringConfig().sampling).sample_size


def measure_size(size: int, *, runs: int, processes: list[int], music_dir: Path) -> list[dict]:
    from analysis.audio.labels import MSD_LABELS

    started = time.monotonic()
    library_write(synthetic_tracks(size, mood_labels=tuple(MSD_LABELS)), music_dir=music_dir)
    read_seconds, tracks_per_run = library_read_seconds()
    print(f"{size} tracks written in {time.monotonic() - started:.0f} s; one process reads them in "
          f"{read_seconds} s; {tracks_per_run} tracks per run", flush=True)  # fmt: skip
    print(TABLE_HEADER, flush=True)
    rows = []
    for count in processes:
        worker = start_worker(count)
        try:
            wait_for_worker()
            for job in ("cold", "warm"):
                row = {"tracks": size, "tracks_per_run": tracks_per_run, "library_read_seconds": read_seconds,
                       "processes": count, "job": job, **clustering_job(runs=runs)}  # fmt: skip
                rows.append(row)
                print(table_line(row), flush=True)
        finally:
            stop_worker(worker)
    return rows


TABLE_HEADER = (
    f"{'tracks':>7} {'procs':>5} {'job':<4} {'runs':>4} {'wall s':>7} {'batches s':>9} {'commit s':>8} "
    f"{'runs/s wall':>11} {'runs/s batches':>14}  load 1m (before, after)  state"
)


def table_line(row: dict) -> str:
    return (
        f"{row['tracks']:>7} {row['processes']:>5} {row['job']:<4} {row['runs']:>4} {row['wall_seconds']:>7} "
        f"{row['batch_phase_seconds']!s:>9} {row['commit_seconds']!s:>8} {row['runs_per_second_wall']:>11} "
        f"{row['runs_per_second_batch_phase']!s:>14}  {row['load_average_1m']!s:<23}  {row['state']}"
        + ("" if row["state"] == "SUCCESS" else f": {row['message']}")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, nargs="+", default=[40, 20], help="runs per job, per size (last repeats)")
    # Smaller than the product's 20, so even the 20-run job makes enough batches for two processes.
    parser.add_argument("--runs-per-batch", type=int, default=5, help="ITERATIONS_PER_BATCH_JOB")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2], help="worker --concurrency values")
    arguments = parser.parse_args()
    work_dir = Path(tempfile.mkdtemp(prefix="ambench-clustering-"))
    music_dir = work_dir / "music"
    environment = {
        "MEDIASERVER_TYPE": "local",
        "MUSIC_DIR": str(music_dir),
        "PLAYLIST_DIR": str(work_dir / "playlists"),
        "ITERATIONS_PER_BATCH_JOB": str(arguments.runs_per_batch),
    }
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()}; {arguments.runs_per_batch} runs per batch")
    rows = []
    try:
        with django_with_services(**environment):
            for index, size in enumerate(arguments.sizes):
                runs = arguments.runs[min(index, len(arguments.runs) - 1)]
                rows += measure_size(size, runs=runs, processes=arguments.processes, music_dir=music_dir)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    print(TABLE_HEADER)
    for row in rows:
        print(table_line(row))
    print(json.dumps({"cpus": os.cpu_count(), "runs_per_batch": arguments.runs_per_batch, "jobs": rows}, indent=2))


if __name__ == "__main__":
    main()
