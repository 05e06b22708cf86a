"""Whole-library analysis benchmark: the corpus through the local-folder adapter.

Links the public corpus tracks into a music folder, then runs a real analysis
(API service -> the analysis job's window of album jobs on Celery) with a worker of 1 and of 2
processes, and reports tracks per minute and times real time.

    python bench/pipeline.py [--corpus DIR] [--limit 40] [--processes 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.analysed_corpus import public_relpaths
from bench.environment import REPO_DIR, django_with_services


def public_tracks(corpus: Path, limit: int) -> list[Path]:
    present = [corpus / relative for relative in public_relpaths() if (corpus / relative).is_file()]
    if not present:
        raise SystemExit(f"no public corpus tracks under {corpus}; build it with ../shared/corpus/build-corpus.sh")
    return present[:limit] if limit else present


def link_library(tracks: list[Path], corpus: Path, music_dir: Path) -> None:
    for track in tracks:
        target = music_dir / track.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(track)


def start_worker(processes: int, environment: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "audiomuse", "worker", "-Q", "high,default",
               "--concurrency", str(processes), "-l", "warning", "-n", f"bench{processes}@%h"]  # fmt: skip
    return subprocess.Popen(command, cwd=REPO_DIR, env=environment, start_new_session=True)


def analyse_once(processes: int) -> dict:
    from django.db.models import Sum

    from analysis import jobs
    from analysis.models import AnalysisFailure, Track
    from scheduling.models import TaskStatus

    Track.objects.all().delete()
    AnalysisFailure.objects.all().delete()
    worker = start_worker(processes, dict(os.environ))
    try:
        time.sleep(3)  # worker ready
        started = time.monotonic()
        run = jobs.analysis_start()
        while TaskStatus.objects.get(task_id=run.task_id).status not in ("SUCCESS", "FAILURE", "REVOKED"):
            time.sleep(1)
        seconds = time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    run = TaskStatus.objects.get(task_id=run.task_id)
    tracks = Track.objects.filter(analysis__isnull=False).count()
    audio_seconds = Track.objects.filter(analysis__isnull=False).aggregate(total=Sum("duration"))["total"] or 0.0
    from django.conf import settings

    analysed_seconds = sum(
        min(d or 0.0, settings.AUDIO_MAX_DURATION) for d in Track.objects.values_list("duration", flat=True)
    )
    return {"processes": processes, "state": run.status, "tracks": tracks, "failed": AnalysisFailure.objects.count(),
            "wall_seconds": round(seconds, 1), "tracks_per_minute": round(60 * tracks / seconds, 1),
            "audio_minutes": round(audio_seconds / 60, 1),
            "x_real_time_analysed": round(analysed_seconds / seconds, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path(os.environ.get("AUDIOMUSE_CORPUS_DIR", REPO_DIR / "var" / "corpus"))
    )
    parser.add_argument("--limit", type=int, default=40, help="public tracks to use (0 = all)")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    arguments = parser.parse_args()
    music_dir = Path(tempfile.mkdtemp(prefix="ambench-music-"))
    link_library(public_tracks(arguments.corpus, arguments.limit), arguments.corpus, music_dir)
    rows = []
    with django_with_services(MEDIASERVER_TYPE="local", MUSIC_DIR=str(music_dir)):
        for processes in arguments.processes:
            row = analyse_once(processes)
            rows.append(row)
            print(f"{processes} worker process(es): {row['tracks']} tracks ({row['audio_minutes']} min of audio) "
                  f"in {row['wall_seconds']} s = {row['tracks_per_minute']} tracks/min, "
                  f"{row['x_real_time_analysed']}x real time, {row['failed']} failed, {row['state']}")  # fmt: skip
    print(json.dumps({"pipeline": rows}, indent=2))


if __name__ == "__main__":
    main()
