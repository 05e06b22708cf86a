"""Benchmark the analysis of real music: speed per stage and peak memory, per model set.

    python bench/analysis.py [--limit N] [--max-duration S] [--configs msd,msd+mtt]

Tracks: the public corpus tracks (../shared/corpus/public.txt) present in
$AUDIOMUSE_CORPUS_DIR, else var/corpus (the test suite builds a ten-track subset
there; ../shared/corpus/build-corpus.sh builds the whole corpus). --limit N
takes N tracks spread evenly over the list, so every package is represented.

Each model set runs in a fresh Python process, so its peak RSS (ru_maxrss) is
its own and includes everything a worker process holds: interpreter, libraries,
ONNX Runtime sessions, one decoded track and one chunk of spectrograms. The
first track is analysed once untimed (imports and JIT compilation a worker pays
once); the machine's load average is recorded, as other processes slow the
figures down.
Prints a per-track table, totals, and a JSON summary (also written with --json-out).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
# Run as `python bench/analysis.py`, Python puts bench/ first on sys.path, where
# this very file would shadow the `analysis` package.
sys.path[:] = [str(REPO_DIR), *(entry for entry in sys.path[1:] if entry != str(REPO_DIR))]

from analysis.audio.analyze import AnalysisConfig, ModelSet, analyze_file  # noqa: E402 - needs the path above
from analysis.audio.errors import AudioError  # noqa: E402
from bench.environment import SHARED_DIR  # noqa: E402

PUBLIC_LIST = SHARED_DIR / "corpus" / "public.txt"
CONFIGS = {"msd": ("msd",), "msd+mtt": ("msd", "mtt")}
TARGET_X_REALTIME = 50.0
TARGET_PEAK_RSS_MB = 500.0


def main() -> None:
    arguments = _parse_arguments()
    if arguments.worker:
        _run_worker(arguments)
        return
    corpus_dir = _corpus_dir(arguments.corpus)
    tracks = _public_tracks(corpus_dir, limit=arguments.limit)
    print(f"{len(tracks)} public tracks from {corpus_dir}, first {arguments.max_duration:g} s of each", flush=True)
    summary = {}
    for name in arguments.configs.split(","):
        result = _run_config_in_subprocess(name, tracks=tracks, corpus_dir=corpus_dir, arguments=arguments)
        _print_tracks(name, result["tracks"])
        summary[name] = _summarise(result)
    _print_summary(summary)
    document = json.dumps(summary, indent=2)
    print(document)
    if arguments.json_out:
        Path(arguments.json_out).write_text(document + "\n")


def _parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="analyse N tracks spread over the public list")
    parser.add_argument("--max-duration", type=float, default=600.0, help="seconds analysed per track")
    parser.add_argument("--configs", default="msd,msd+mtt", help="comma-separated: msd, msd+mtt")
    parser.add_argument("--corpus", default=None, help="corpus directory (default: $AUDIOMUSE_CORPUS_DIR, var/corpus)")
    parser.add_argument("--model-dir", default=str(REPO_DIR / "var" / "models"), help="built musicnn models")
    parser.add_argument("--batch-size", type=int, default=AnalysisConfig.batch_size, help="patches per ONNX run")
    parser.add_argument("--json-out", default=None, help="also write the JSON summary here")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)  # config name, in the child process
    arguments = parser.parse_args()
    unknown = set(arguments.configs.split(",")) - set(CONFIGS)
    if unknown:
        parser.error(f"unknown configs {sorted(unknown)}; choose from {sorted(CONFIGS)}")
    return arguments


def _corpus_dir(given: str | None) -> Path:
    corpus_dir = Path(given or os.environ.get("AUDIOMUSE_CORPUS_DIR") or REPO_DIR / "var" / "corpus")
    if not (corpus_dir / "index.csv").is_file():
        sys.exit(
            f"no corpus at {corpus_dir}: set AUDIOMUSE_CORPUS_DIR, run the tests once (they build a "
            f"subset in var/corpus), or run ../shared/corpus/build-corpus.sh {corpus_dir}"
        )
    return corpus_dir


def _public_tracks(corpus_dir: Path, *, limit: int | None) -> list[str]:
    public = set(PUBLIC_LIST.read_text().splitlines())
    with (corpus_dir / "index.csv").open(newline="", encoding="utf-8") as index:
        present = [row["relpath"] for row in csv.DictReader(index) if row["relpath"] in public]
    tracks = [relpath for relpath in present if (corpus_dir / relpath).is_file()]
    if limit is not None and limit < len(tracks):
        step = len(tracks) / limit
        tracks = [tracks[int(i * step)] for i in range(limit)]
    if not tracks:
        sys.exit(f"no public corpus tracks found in {corpus_dir}")
    return tracks


def _run_config_in_subprocess(name: str, *, tracks: list[str], corpus_dir: Path, arguments) -> dict:
    command = [
        sys.executable,
        __file__,
        f"--worker={name}",
        f"--max-duration={arguments.max_duration}",
        f"--model-dir={arguments.model_dir}",
        f"--batch-size={arguments.batch_size}",
    ]
    job = json.dumps({"corpus_dir": str(corpus_dir), "tracks": tracks})
    print(f"running {name} in a fresh process ...", flush=True)
    completed = subprocess.run(command, input=job, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.exit(f"{name} worker failed:\n{completed.stderr}")
    return json.loads(completed.stdout)


def _run_worker(arguments: argparse.Namespace) -> None:
    """In the child process: read the job from stdin, load one model set, analyse every track, print JSON."""
    job = json.loads(sys.stdin.read())
    config = AnalysisConfig(
        tag_models=CONFIGS[arguments.worker],
        max_duration_seconds=arguments.max_duration,
        batch_size=arguments.batch_size,
    )
    started = time.perf_counter()
    models = ModelSet.load(model_dir=Path(arguments.model_dir), config=config)
    load_seconds = time.perf_counter() - started
    rss_after_load = _current_rss_mb()
    # A worker's first track also pays librosa's lazy imports and numba's
    # compilation (~2 s, ~200 MB): measured apart, so per-track rows are steady state.
    warm_up = _bench_track(Path(job["corpus_dir"]), job["tracks"][0], models=models, config=config)
    load_average_before = os.getloadavg()[0]
    rows = [_bench_track(Path(job["corpus_dir"]), relpath, models=models, config=config) for relpath in job["tracks"]]
    json.dump(
        {
            "model_version": models.version,
            "model_load_seconds": load_seconds,
            "rss_after_load_mb": rss_after_load,
            "warm_up_wall_seconds": warm_up.get("wall_seconds"),
            # Other processes on the machine slow everything down: say how busy it was.
            "load_average": [load_average_before, os.getloadavg()[0]],
            "tracks": rows,
        },
        sys.stdout,
    )


def _bench_track(corpus_dir: Path, relpath: str, *, models: ModelSet, config: AnalysisConfig) -> dict:
    started = time.perf_counter()
    try:
        analysis = analyze_file(corpus_dir / relpath, models=models, config=config)
    except AudioError as exc:
        return {"track": relpath, "error": str(exc)}
    wall = time.perf_counter() - started
    return {
        "track": relpath,
        "audio_seconds": analysis.duration_seconds,
        "decode_seconds": analysis.timings.decode_seconds,
        "features_seconds": analysis.timings.features_seconds,
        "inference_seconds": analysis.timings.inference_seconds,
        "wall_seconds": wall,
        "x_realtime": analysis.duration_seconds / wall,
        "peak_rss_mb": _peak_rss_mb(),
        "rss_mb": _current_rss_mb(),
    }


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _current_rss_mb() -> float:
    """Resident set size now (Linux /proc), to tell a leak from one large track."""
    try:
        resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return float("nan")
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _summarise(result: dict) -> dict:
    rows = [row for row in result["tracks"] if "error" not in row]

    def total(key: str) -> float:
        return sum(row[key] for row in rows)

    rss_after_tracks = [row["rss_mb"] for row in rows]
    x_realtime = total("audio_seconds") / total("wall_seconds") if rows else 0.0
    peak_rss = max((row["peak_rss_mb"] for row in rows), default=0.0)
    return {
        "model_version": result["model_version"],
        "tracks": len(rows),
        "failed_tracks": [row["track"] for row in result["tracks"] if "error" in row],
        "audio_seconds": total("audio_seconds"),
        "wall_seconds": total("wall_seconds"),
        "decode_seconds": total("decode_seconds"),
        "features_seconds": total("features_seconds"),
        "inference_seconds": total("inference_seconds"),
        "x_realtime": x_realtime,
        "model_load_seconds": result["model_load_seconds"],
        "warm_up_wall_seconds": result["warm_up_wall_seconds"],
        "load_average": result["load_average"],
        "rss_after_load_mb": result["rss_after_load_mb"],
        "peak_rss_mb": peak_rss,
        # RSS after the last track minus after the first: near 0 when nothing accumulates.
        "rss_growth_mb": rss_after_tracks[-1] - rss_after_tracks[0] if rows else 0.0,
        "meets_x_realtime_target": x_realtime >= TARGET_X_REALTIME,
        "meets_peak_rss_target": peak_rss <= TARGET_PEAK_RSS_MB,
    }


def _print_tracks(name: str, rows: list[dict]) -> None:
    print(f"\n{name}: per track (seconds; RSS in MB)")
    print(f"{'track':<58} {'audio':>6} {'decode':>7} {'feat':>6} {'infer':>6} {'wall':>6} {'x rt':>6} {'peak':>6}")
    for row in rows:
        label = row["track"][-58:]
        if "error" in row:
            print(f"{label:<58} failed: {row['error']}")
            continue
        print(
            f"{label:<58} {row['audio_seconds']:6.1f} {row['decode_seconds']:7.2f} {row['features_seconds']:6.2f} "
            f"{row['inference_seconds']:6.2f} {row['wall_seconds']:6.2f} {row['x_realtime']:6.1f} "
            f"{row['peak_rss_mb']:6.0f}"
        )


def _print_summary(summary: dict) -> None:
    print(f"\ntotals (targets: >= {TARGET_X_REALTIME:g}x real time, peak RSS <= {TARGET_PEAK_RSS_MB:g} MB)")
    print(
        f"{'models':<9} {'tracks':>6} {'audio s':>8} {'decode':>7} {'feat':>6} {'infer':>7} {'wall':>7} "
        f"{'x rt':>6} {'peak MB':>8} {'growth':>7}"
    )
    for name, totals in summary.items():
        print(
            f"{name:<9} {totals['tracks']:6d} {totals['audio_seconds']:8.0f} {totals['decode_seconds']:7.1f} "
            f"{totals['features_seconds']:6.1f} {totals['inference_seconds']:7.1f} {totals['wall_seconds']:7.1f} "
            f"{totals['x_realtime']:6.1f} {totals['peak_rss_mb']:8.0f} {totals['rss_growth_mb']:7.1f}"
        )


if __name__ == "__main__":
    main()
