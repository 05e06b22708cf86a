"""Benchmark the clustering engine: K-Means runs per second on synthetic 200-d libraries, in one process.

    python bench/clustering_engine.py [--sizes 10000 100000] [--runs 20 5] [--threads 1 0]

Each library has 64 Gaussian blobs of Zipf-like sizes in 200-d, each blob with
a dominant mood among the 50 MSD-style labels, so stratified sampling thins the
big genres as it would on a real library. A run is what a Celery batch task
does ITERATIONS_PER_BATCH_JOB times: draw the sample, pick parameters (K in
40..100, PCA 0..199), scale, fit (MiniBatchKMeans from 20k tracks) and score
with the default fitness (mood diversity and purity). One untimed run first
pays the imports and thread pools. ``--threads 1`` is what a worker uses
(run_batch's default); 0 lets BLAS/OpenMP use every core. The machine's load
average is recorded, since other processes slow the figures down.
Prints a table and a JSON summary. bench/clustering.py measures whole jobs through Celery (1 and 2 workers).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path[:] = [str(REPO_DIR), *(entry for entry in sys.path[1:] if entry != str(REPO_DIR))]

from clustering.engine import ClusteringConfig, ClusteringData, build_clustering_data, run_batch  # noqa: E402
from clustering.engine.defaults import STRATIFIED_GENRES  # noqa: E402
from clustering.engine.sampling import sampling_plan  # noqa: E402

MOOD_LABELS = (*STRATIFIED_GENRES, *(f"mood-{i}" for i in range(50 - len(STRATIFIED_GENRES))))
BLOBS = 64


@dataclass(frozen=True, eq=False)
class SyntheticTracks:
    """A planted library: BLOBS Gaussian blobs in 200-d, each with a dominant mood.

    embeddings: np.ndarray [shape=(n, 200), float32]; tempo_bpm, energy: [shape=(n,)];
    moods: [shape=(n, len(mood_labels))] probabilities; other_features: [shape=(n, 6)];
    artists: one name per track; blobs: [shape=(n,)] the blob each track was drawn from.
    """

    embeddings: np.ndarray
    tempo_bpm: np.ndarray
    energy: np.ndarray
    moods: np.ndarray
    other_features: np.ndarray
    artists: list[str]
    blobs: np.ndarray
    mood_labels: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.blobs)


def synthetic_tracks(count: int, *, mood_labels: tuple[str, ...] = MOOD_LABELS, seed: int = 0) -> SyntheticTracks:
    """``count`` tracks in BLOBS blobs whose sizes fall off like 1 / rank."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, BLOBS + 1)
    blobs = rng.choice(BLOBS, size=count, p=weights / weights.sum())
    centres = rng.normal(size=(BLOBS, 200))
    moods = rng.uniform(0.0, 0.15, size=(count, len(mood_labels)))
    dominant = rng.permutation(len(mood_labels))[np.arange(BLOBS) % len(mood_labels)]
    moods[np.arange(count), dominant[blobs]] = rng.uniform(0.4, 0.9, size=count)
    return SyntheticTracks(
        embeddings=(3.0 + centres[blobs] + 0.6 * rng.normal(size=(count, 200))).astype(np.float32),
        tempo_bpm=rng.uniform(60, 180, size=count),
        energy=rng.uniform(0, 1, size=count),
        moods=moods,
        other_features=rng.uniform(0, 1, size=(count, 6)),
        artists=[f"artist-{i}" for i in rng.integers(0, max(1, count // 10), size=count)],
        blobs=blobs,
        mood_labels=tuple(mood_labels),
    )


def synthetic_library(count: int, *, seed: int = 0) -> ClusteringData:
    tracks = synthetic_tracks(count, seed=seed)
    return build_clustering_data(
        item_ids=[f"bench-{i}" for i in range(count)],
        embeddings=tracks.embeddings,
        tempo_bpm=tracks.tempo_bpm,
        energy=tracks.energy,
        moods=tracks.moods,
        other_features=tracks.other_features,
        artists=tracks.artists,
        mood_labels=tracks.mood_labels,
        tempo_range_bpm=(40.0, 200.0),
    )


def measure(data: ClusteringData, *, runs: int, threads: int | None) -> dict:
    config = ClusteringConfig(clustering_runs=1000)
    batch = {"data": data, "config": config, "elites": [], "first_run_index": 0, "max_threads": threads}
    run_batch(**batch, iterations=1, rng=np.random.default_rng(99))
    started = time.perf_counter()
    result = run_batch(**batch, iterations=runs, rng=np.random.default_rng(0))
    seconds = time.perf_counter() - started
    return {
        "tracks": data.track_count,
        "tracks_per_run": sampling_plan(data=data, settings=config.sampling).sample_size,
        "threads": threads or "all",
        "runs": runs,
        "seconds": round(seconds, 2),
        "runs_per_second": round(runs / seconds, 3),
        "best_score": round(result.best.score, 3) if result.best else None,
        "best_params": result.best.params.as_dict() if result.best else None,
        "result_json_bytes": len(json.dumps(result.as_dict())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, nargs="+", default=[20, 5], help="timed runs per size (last one repeats)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1], help="BLAS/OpenMP threads; 0 = all cores")
    arguments = parser.parse_args()
    rows = []
    for index, size in enumerate(arguments.sizes):
        started = time.perf_counter()
        data = synthetic_library(size)
        print(f"{size} tracks built in {time.perf_counter() - started:.1f} s", flush=True)
        runs = arguments.runs[min(index, len(arguments.runs) - 1)]
        for threads in arguments.threads:
            row = measure(data, runs=runs, threads=threads or None)
            rows.append(row)
            print(
                f"  {row['tracks_per_run']:>7} tracks/run  threads={row['threads']!s:<4} "
                f"{row['runs_per_second']:>7.3f} runs/s  ({runs} runs in {row['seconds']} s)",
                flush=True,
            )
    summary = {"load_average": [round(load, 2) for load in os.getloadavg()], "cpus": os.cpu_count(), "results": rows}
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
