"""Similarity benchmark: quality on the analysed corpus, latency through the HTTP API at 100k tracks.

    python bench/similarity.py [--tracks 100000] [--requests 200] [--skip-quality] [--corpus DIR]

Quality (when public corpus tracks are present in $AUDIOMUSE_CORPUS_DIR or
var/corpus): the tracks are analysed by the real pipeline (first 60 s, MSD
model) and stored; for every track, similar_tracks n=10 in standard and
radius mode is scored by precision@10 against the corpus' album and style
labels (with the random-order expectation for comparison), and paths between
tracks of different styles are scored by their mean and largest step
distance against random orderings of the same songs.

Latency: synthetic 200-d embeddings clustered like real ones (plus 50 tags
and the other features per track) are stored in the real tables, the index
is built by the analysis' own service, and the requests go through Django's
test Client with the API token: URL routing, middleware, DRF, the database
and the in-memory index in this one process, no network and no gunicorn.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO_DIR = Path(__file__).resolve().parent.parent
# Run as `python bench/similarity.py`, Python puts bench/ first on sys.path, where
# this very file would shadow the `similarity` package.
sys.path[:] = [str(REPO_DIR), *(entry for entry in sys.path[1:] if entry != str(REPO_DIR))]

from bench.environment import django_with_services  # noqa: E402 - needs the path above

PUBLIC_LIST = REPO_DIR.parent / "shared" / "corpus" / "public.txt"
TARGETS_MS = {"similar_tracks": 25.0, "find_path (25 steps)": 250.0, "alchemy (5 inputs)": 300.0}
SONGS_PER_ALBUM, ALBUMS_PER_ARTIST, STYLES = 10, 2, 64


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--corpus", default=None, help="corpus directory (default: $AUDIOMUSE_CORPUS_DIR, var/corpus)")
    arguments = parser.parse_args()
    corpus_dir = Path(arguments.corpus or os.environ.get("AUDIOMUSE_CORPUS_DIR") or REPO_DIR / "var" / "corpus")
    summary = {}
    with django_with_services(AUDIO_MAX_DURATION="60", ANALYSIS_TAG_MODELS="msd"):
        if not arguments.skip_quality:
            summary["quality"] = quality(corpus_dir)
        summary["latency"] = latency(tracks=arguments.tracks, requests=arguments.requests)
    print_latency(summary["latency"])
    print(json.dumps(summary, indent=2))


# -- HTTP client ---------------------------------------------------------------------------------


def api_client():
    from django.conf import settings
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Bearer {settings.API_TOKEN}")


def call(client, method: str, path: str, **payload):
    if method == "get":
        response = client.get(path, payload)
    else:
        response = client.post(path, json.dumps(payload), content_type="application/json")
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
    return response.json()


# -- quality -------------------------------------------------------------------------------------


def quality(corpus_dir: Path) -> dict:
    labels = analyse_corpus(corpus_dir)
    if len(labels) < 12:
        print(f"quality: skipped, only {len(labels)} public corpus tracks in {corpus_dir}")
        return {"skipped": f"{len(labels)} public corpus tracks in {corpus_dir}"}
    from similarity.services import vector_index_rebuild

    vector_index_rebuild()
    client = api_client()
    result = {"tracks": len(labels), "precision_at_10": precision(client, labels), "paths": smoothness(client, labels)}
    from analysis.models import Track

    Track.objects.all().delete()  # the latency part starts from an empty library
    return result


def analyse_corpus(corpus_dir: Path) -> dict[str, dict]:
    """Analyse and store the public corpus tracks present; item_id -> {album, style}."""
    index_file = corpus_dir / "index.csv"
    if not index_file.is_file():
        return {}
    from analysis.engine import analyze_path
    from analysis.services import track_analysis_save

    public = set(PUBLIC_LIST.read_text().splitlines())
    with index_file.open(newline="", encoding="utf-8") as index:
        rows = [row for row in csv.DictReader(index) if row["relpath"] in public]
    rows = [row for row in rows if (corpus_dir / row["relpath"]).is_file()]
    labels, started = {}, time.perf_counter()
    for number, row in enumerate(rows):
        analysis = analyze_path(corpus_dir / row["relpath"])
        metadata = {
            "title": row["title"],
            "author": row["artist"],
            "album": row["album"],
            "album_artist": row["artist"],
        }
        track_analysis_save(item_id=f"corpus-{number}", server_type="local", metadata=metadata, analysis=analysis)
        labels[f"corpus-{number}"] = {"album": row["album"], "style": row["style_label"]}
    print(f"quality: analysed {len(labels)} public corpus tracks in {time.perf_counter() - started:.0f} s", flush=True)
    return labels


def precision(client, labels: dict[str, dict]) -> dict:
    """Mean precision@10 of similar_tracks per label and mode, and what random picks would score."""
    scores: dict[str, list[float]] = {}
    for item_id, label in labels.items():
        for mode in ("standard", "radius"):
            radius = "true" if mode == "radius" else "false"
            rows = call(client, "get", "/api/similar_tracks", item_id=item_id, n=10, radius_similarity=radius)
            for kind in ("album", "style"):
                hits = sum(labels[row["item_id"]][kind] == label[kind] for row in rows)
                scores.setdefault(f"{kind}/{mode}", []).append(hits / 10)
    result = {key: round(float(np.mean(values)), 3) for key, values in sorted(scores.items())}
    for kind in ("album", "style"):
        result[f"{kind}/random"] = round(random_precision(labels, kind), 3)
    print("quality: precision@10", result, flush=True)
    return result


def random_precision(labels: dict[str, dict], kind: str) -> float:
    """Expected share of same-label tracks among the others, for a random pick."""
    values = [label[kind] for label in labels.values()]
    return float(np.mean([(values.count(value) - 1) / (len(values) - 1) for value in values]))


def smoothness(client, labels: dict[str, dict], *, pairs: int = 10) -> dict:
    """Mean and largest step of paths between tracks of different styles, against shuffled orders."""
    from analysis.models import Embedding

    vectors = {
        item_id: np.asarray(vector) / np.linalg.norm(vector)
        for item_id, vector in Embedding.objects.values_list("track__item_id", "vector")
    }
    rng = np.random.default_rng(0)
    ids = list(labels)
    length = min(25, len(ids) // 2)
    found, shuffled = [], []
    while len(found) < pairs:
        start, end = rng.choice(ids, size=2, replace=False)
        if labels[start]["style"] == labels[end]["style"]:
            continue
        path = call(client, "get", "/api/find_path", start_song_id=start, end_song_id=end, max_steps=length)
        order = [row["item_id"] for row in path["path"]]
        found.append(steps(order, vectors))
        middle = order[1:-1]
        for _ in range(20):
            rng.shuffle(middle)
            shuffled.append(steps([order[0], *middle, order[-1]], vectors))
    result = {
        "length": length,
        "mean_step": round(float(np.mean([s.mean() for s in found])), 4),
        "max_step": round(float(np.mean([s.max() for s in found])), 4),
        "random_mean_step": round(float(np.mean([s.mean() for s in shuffled])), 4),
        "random_max_step": round(float(np.mean([s.max() for s in shuffled])), 4),
    }
    print("quality: paths", result, flush=True)
    return result


def steps(order: list[str], vectors: dict[str, np.ndarray]) -> np.ndarray:
    return np.array([1.0 - float(vectors[a] @ vectors[b]) for a, b in itertools.pairwise(order)])


# -- latency -------------------------------------------------------------------------------------


def latency(*, tracks: int, requests: int) -> dict:
    started = time.perf_counter()
    store_library(tracks)
    stored = time.perf_counter()
    from similarity.index_manager import index_manager
    from similarity.services import vector_index_rebuild

    vector_index_rebuild()
    index_manager.reload()  # not left to the reload message: the first request follows at once
    print(f"latency: stored {tracks} tracks in {stored - started:.0f} s, "
          f"built the index in {time.perf_counter() - stored:.0f} s", flush=True)  # fmt: skip
    client = api_client()
    ids = [f"bench-{i}" for i in np.random.default_rng(1).integers(0, tracks, size=requests * 6)]
    call(client, "get", "/api/similar_tracks", item_id=ids[0])  # loads the index into this process
    plans = {
        "track (floor: auth + one query)": lambda i: ("get", "/api/track", {"item_id": ids[i]}),
        "similar_tracks": lambda i: ("get", "/api/similar_tracks", {"item_id": ids[i], "n": 10}),
        "similar_tracks n=100": lambda i: ("get", "/api/similar_tracks", {"item_id": ids[i], "n": 100}),
        "similar_tracks standard": lambda i: (
            "get", "/api/similar_tracks", {"item_id": ids[i], "n": 10, "radius_similarity": "false"}
        ),
        "find_path (25 steps)": lambda i: (
            "get", "/api/find_path", {"start_song_id": ids[i], "end_song_id": ids[-i - 1], "max_steps": 25}
        ),
        "find_path (25 steps, fix size)": lambda i: ("get", "/api/find_path", {
            "start_song_id": ids[i], "end_song_id": ids[-i - 1], "max_steps": 25, "path_fix_size": "true"}
        ),
        "alchemy (5 inputs)": lambda i: ("post", "/api/alchemy", {
            "items": [{"id": ids[5 * i + j], "op": "ADD" if j < 4 else "SUBTRACT"} for j in range(5)]}
        ),
        "search_tracks": lambda i: ("get", "/api/search_tracks", {"search_query": f"song {i % 97} artist"}),
    }  # fmt: skip
    figures = time_requests(client, plans, requests=requests)
    # The machine may be shared: the 1-minute load average says how much else was running.
    print(f"latency: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs after the timed requests")
    return figures


def time_requests(client, plans: dict, *, requests: int) -> dict:
    """p50/p95 per plan; the plans take turns, so a burst of load on the machine hits them all alike."""
    elapsed: dict[str, list[float]] = {name: [] for name in plans}
    for i in range(requests):
        for name, plan in plans.items():
            method, path, payload = plan(i)
            started = time.perf_counter()
            call(client, method, path, **payload)
            elapsed[name].append((time.perf_counter() - started) * 1000)
    figures = {}
    for name, values in elapsed.items():
        p50, p95 = np.percentile(values, [50, 95])
        figures[name] = {"p50_ms": round(float(p50), 1), "p95_ms": round(float(p95), 1)}
    return figures


def store_library(count: int, *, batch: int = 5000) -> None:
    """Tracks in albums of 10, two albums per artist, 64 styles; tags and other features per style."""
    from django.utils import timezone

    from analysis.audio.labels import MSD_LABELS
    from analysis.models import EMBEDDING_DIMENSIONS, Embedding, Track, TrackAnalysis

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(STYLES, EMBEDDING_DIMENSIONS))
    style_tags = rng.random(size=(STYLES, len(MSD_LABELS)))
    style_features = rng.random(size=(STYLES, 6))
    feature_names = ("danceable", "aggressive", "happy", "party", "relaxed", "sad")
    now = timezone.now()
    for offset in range(0, count, batch):
        numbers = range(offset, min(count, offset + batch))
        albums = [n // SONGS_PER_ALBUM for n in numbers]
        styles = [album % STYLES for album in albums]
        tracks = Track.objects.bulk_create(
            Track(item_id=f"bench-{n}", title=f"Song {n % 997} of {album}", author=artist_name(album),
                  album=f"Album {album}", album_artist=artist_name(album))
            for n, album in zip(numbers, albums, strict=True)
        )  # fmt: skip
        vectors = centres[styles] + 0.6 * rng.normal(size=(len(tracks), EMBEDDING_DIMENSIONS))
        Embedding.objects.bulk_create(
            Embedding(track=t, vector=v, model_version="bench") for t, v in zip(tracks, vectors, strict=True)
        )
        TrackAnalysis.objects.bulk_create(
            TrackAnalysis(track=t, tempo=120.0, key="A", scale="minor", energy=0.5, model_version="bench",
                          analysed_at=now, moods=dict(zip(MSD_LABELS, style_tags[s].round(3).tolist(), strict=True)),
                          other_features=dict(zip(feature_names, style_features[s].round(2).tolist(), strict=True)))
            for t, s in zip(tracks, styles, strict=True)
        )  # fmt: skip


def artist_name(album: int) -> str:
    return f"Artist {album // ALBUMS_PER_ARTIST}"


def print_latency(rows: dict) -> None:
    for name, figures in rows.items():
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else ("  ok" if figures["p95_ms"] < target else "  OVER TARGET")
        limit = f"(target p95 < {target:.0f} ms)" if target else ""
        print(f"{name:34} p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms {limit}{verdict}")


if __name__ == "__main__":
    sys.exit(main())
