"""Benchmark the artist model and the hyperbolic view on a synthetic library, in one process.

    python bench/artists_engine.py [--artists 10000] [--queries 500]

The library has ``--artists`` artists with 1 to 40 tracks each (about 10 on
average, so ~100k tracks at 10k artists) in 200-d; every artist belongs to
one of STYLES Gaussian styles. Prints the artist model's fit time, its size
in bytes, load time, similar-artist query p50/p95 (n=10, with and without
component matches), how often a result shares the seed's style against
chance, then the hyperbolic model's fit time and query p50/p95. The machine's
load average is printed too, since other processes slow the figures down.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path[:] = [str(REPO_DIR), *(entry for entry in sys.path[1:] if entry != str(REPO_DIR))]

from similarity.engine.artists import (  # noqa: E402
    artist_model_from_bytes,
    artist_model_to_bytes,
    fit_artist_model,
    similar_artists,
)
from similarity.engine.hyperbolic import fit_hyperbolic_model, hyperbolic_neighbours, hyperbolic_tree  # noqa: E402

DIMENSIONS = 200
STYLES = 100


def synthetic_library(artists: int, *, seed: int = 0) -> tuple[np.ndarray, list[str], list[str], np.ndarray]:
    """embeddings [shape=(n, 200), float32], artist key and track id per row, each artist's style [shape=(artists,)]."""
    rng = np.random.default_rng(seed)
    styles = rng.integers(0, STYLES, size=artists)
    style_centres = 3.0 * rng.normal(size=(STYLES, DIMENSIONS))
    artist_centres = style_centres[styles] + 1.0 * rng.normal(size=(artists, DIMENSIONS))
    counts = np.minimum(1 + rng.geometric(0.1, size=artists), 40)
    owners = np.repeat(np.arange(artists), counts)
    embeddings = (artist_centres[owners] + 1.5 * rng.normal(size=(len(owners), DIMENSIONS))).astype(np.float32)
    artist_keys = [f"artist-{owner}" for owner in owners]
    track_ids = [f"track-{i}" for i in range(len(owners))]
    return embeddings, artist_keys, track_ids, styles


def percentiles_ms(timings: list[float]) -> str:
    return f"p50 {1000 * np.percentile(timings, 50):.2f} ms, p95 {1000 * np.percentile(timings, 95):.2f} ms"


def bench_artists(embeddings, artist_keys, track_ids, styles, *, queries: int) -> None:
    started = time.perf_counter()
    model = fit_artist_model(embeddings=embeddings, artist_keys=artist_keys, track_ids=track_ids)
    elapsed = time.perf_counter() - started
    print(f"artist model: fit {elapsed:.1f} s for {len(model)} artists, {len(model.weights)} components")
    started = time.perf_counter()
    data = artist_model_to_bytes(model)
    print(f"  to bytes {time.perf_counter() - started:.2f} s, {len(data) / 1e6:.1f} MB")
    started = time.perf_counter()
    model = artist_model_from_bytes(data)
    print(f"  from bytes {time.perf_counter() - started:.2f} s")
    rng = np.random.default_rng(1)
    seeds = [model.artist_keys[i] for i in rng.integers(0, len(model), size=queries)]
    for matches in (False, True):
        timings, same_style = [], []
        for key in seeds:
            started = time.perf_counter()
            results = similar_artists(model, artist_key=key, n=10, include_component_matches=matches)
            timings.append(time.perf_counter() - started)
            seed_style = styles[int(key.split("-")[1])]
            same_style.extend(styles[int(result.artist_key.split("-")[1])] == seed_style for result in results)
        print(f"  similar_artists n=10 matches={matches}: {percentiles_ms(timings)}")
    print(f"  results sharing the seed's style: {np.mean(same_style):.1%} (chance {1 / STYLES:.1%})")


def bench_hyperbolic(embeddings, track_ids, *, queries: int) -> None:
    started = time.perf_counter()
    model = fit_hyperbolic_model(embeddings=embeddings, track_ids=track_ids)
    print(f"hyperbolic model: fit {time.perf_counter() - started:.1f} s for {len(model)} tracks")
    rng = np.random.default_rng(2)
    for mode in ("similar", "roots", "niche"):
        timings = []
        for seed in rng.integers(0, len(model), size=queries):
            started = time.perf_counter()
            hyperbolic_neighbours(model, seed_index=int(seed), mode=mode, limit=50, radial_spread=1.0)
            timings.append(time.perf_counter() - started)
        print(f"  hyperbolic_neighbours {mode} limit=50: {percentiles_ms(timings)}")
    started = time.perf_counter()
    hyperbolic_tree(model)
    print(f"  hyperbolic_tree (5 roots, 3 children, 3 levels): {time.perf_counter() - started:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artists", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    arguments = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} CPUs")
    embeddings, artist_keys, track_ids, styles = synthetic_library(arguments.artists)
    print(f"library: {len(embeddings)} tracks, {arguments.artists} artists, d={DIMENSIONS}")
    bench_artists(embeddings, artist_keys, track_ids, styles, queries=arguments.queries)
    bench_hyperbolic(embeddings, track_ids, queries=arguments.queries // 5)
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
