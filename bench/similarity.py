"""Similarity benchmark: quality on the analysed real-music corpus, latency through the HTTP API at 100k tracks.

    python bench/similarity.py [--quality] [--latency] [--tracks 100000] [--requests 200] [--corpus DIR]

With neither flag both parts run (``make bench-similarity`` asks for both).

Quality: the public corpus tracks, analysed once by the real engine and cached
(bench/analysed_corpus.py: first 120 s, MSD model), are stored as Track,
TrackAnalysis and Embedding rows in a throw-away database; the real vector
index is built and every request goes through the API with Django's test
Client. For every track as the query, similar_tracks n=10 is scored by
precision@10 against the corpus' album and style labels, in standard and
radius mode, with the artist cap (MAX_SONGS_PER_ARTIST) on and off; random
picks and the best score the label sizes allow are printed beside them.
Then find_path between random start/end pairs (max_steps=25, the clients'
defaults otherwise) is scored by the cosine distance of consecutive songs,
against the same songs with the middle shuffled and against 23 random songs
between the same ends.

Latency: synthetic 200-d embeddings clustered like real ones (plus 50 tags
and the other features per track) are stored in the real tables, the index
is built by the analysis' own service, and the requests go through Django's
test Client with the API token: URL routing, middleware, DRF, the database
and the in-memory index in this one process, no network and no gunicorn.
"""

from __future__ import annotations

import argparse
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

from bench import analysed_corpus  # noqa: E402 - needs the path above
from bench.environment import django_with_services  # noqa: E402

TARGETS_MS = {"similar_tracks": 25.0, "find_path (25 steps)": 250.0, "alchemy (5 inputs)": 300.0}
SONGS_PER_ALBUM, ALBUMS_PER_ARTIST, STYLES = 10, 2, 64
PRECISION_AT = 10
PATH_PAIRS, PATH_LENGTH, RANDOM_ORDERS_PER_PATH = 30, 25, 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", action="store_true", help="precision@10 and path smoothness on the corpus")
    parser.add_argument("--latency", action="store_true", help="request latency at --tracks synthetic tracks")
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint")
    parser.add_argument(
        "--corpus", default=None, help="corpus directory (default: $AUDIOMUSE_CORPUS_DIR, ../corpus-cache)"
    )
    arguments = parser.parse_args()
    run_both = not (arguments.quality or arguments.latency)
    # Analysed (or read from the cache) before the services start: the analysis runs in worker processes.
    corpus = analysed_corpus.load(corpus=arguments.corpus) if arguments.quality or run_both else None
    summary = {}
    with django_with_services():
        if corpus is not None:
            summary["quality"] = quality(corpus)
        if arguments.latency or run_both:
            summary["latency"] = latency(tracks=arguments.tracks, requests=arguments.requests)
    if "quality" in summary:
        print_quality(summary["quality"])
    if "latency" in summary:
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


def load_index() -> None:
    from similarity.index_manager import index_manager
    from similarity.services import vector_index_rebuild

    vector_index_rebuild()
    index_manager.reload()  # not left to the reload message: the first request follows at once


# -- quality -------------------------------------------------------------------------------------


def quality(corpus: analysed_corpus.AnalysedCorpus) -> dict:
    """Precision@10 of similar_tracks and smoothness of find_path on the analysed corpus, through the API."""
    item_ids = analysed_corpus.store_in_database(corpus)
    load_index()
    client = api_client()
    labels = {
        item_id: {"album": album, "style": style}
        for item_id, album, style in zip(item_ids, corpus.albums, corpus.styles, strict=True)
    }
    norms = np.linalg.norm(corpus.embeddings, axis=1, keepdims=True)
    vectors = dict(zip(item_ids, corpus.embeddings / norms, strict=True))
    result = {
        "tracks": len(item_ids),
        "skipped_tracks": len(corpus.skipped),
        "model_version": corpus.model_version,
        "settings": similarity_settings(),
        "precision_at_10": precision(client, labels),
        "paths": smoothness(client, vectors),
    }
    from analysis.models import Track

    Track.objects.all().delete()  # the latency part starts from an empty library
    return result


def similarity_settings() -> dict:
    """The settings that shape the results, as the API reads them."""
    from similarity.config import similarity_config

    config = similarity_config()
    return {
        "MAX_SONGS_PER_ARTIST": config.max_songs_per_artist,
        "DUPLICATE_DISTANCE_THRESHOLD_COSINE": config.duplicate_threshold_cosine,
        "MOOD_SIMILARITY": "off (mood_similarity=false)",
        "PATH_DISTANCE_METRIC": config.path_metric.value,
        "PATH_CANDIDATES_PER_STEP": config.path_candidates_per_step,
        "PATH_FIX_SIZE": config.path_fix_size_default,
    }


SIMILAR_MODES = {
    # name -> (radius_similarity, eliminate_duplicates)
    "standard, artist cap": ("false", "true"),
    "standard, no cap": ("false", "false"),
    "radius, artist cap": ("true", "true"),
    "radius, no cap": ("true", "false"),
}


def precision(client, labels: dict[str, dict]) -> dict:
    """Mean precision@10 of similar_tracks per mode and label, every track a query, with the baselines."""
    result = {}
    for mode, (radius, cap) in SIMILAR_MODES.items():
        hits: dict[str, list[float]] = {"album": [], "style": []}
        returned = []
        for item_id, label in labels.items():
            rows = call(
                client,
                "get",
                "/api/similar_tracks",
                item_id=item_id,
                n=PRECISION_AT,
                radius_similarity=radius,
                eliminate_duplicates=cap,
                mood_similarity="false",
            )
            returned.append(len(rows))
            for kind in hits:
                hits[kind].append(sum(labels[row["item_id"]][kind] == label[kind] for row in rows) / PRECISION_AT)
        result[mode] = {kind: float(np.mean(values)) for kind, values in hits.items()}
        result[mode]["mean_returned"] = float(np.mean(returned))
    result["random pick"] = {kind: random_precision(labels, kind) for kind in ("album", "style")}
    result["best possible"] = {kind: best_precision(labels, kind) for kind in ("album", "style")}
    return result


def random_precision(labels: dict[str, dict], kind: str) -> float:
    """Expected share of same-label tracks among the others, for a random pick."""
    values = [label[kind] for label in labels.values()]
    return float(np.mean([(values.count(value) - 1) / (len(values) - 1) for value in values]))


def best_precision(labels: dict[str, dict], kind: str) -> float:
    """The ceiling the label sizes allow: a query with 4 album mates can score at most 4/10."""
    values = [label[kind] for label in labels.values()]
    return float(np.mean([min(values.count(value) - 1, PRECISION_AT) / PRECISION_AT for value in values]))


SHUFFLED = "same songs, middle shuffled"
RANDOM_SONGS = "random songs, same length and ends"


def smoothness(client, vectors: dict[str, np.ndarray]) -> dict:
    """Consecutive-song cosine distances along find_path, the same songs shuffled, and random songs."""
    rng = np.random.default_rng(0)
    ids = list(vectors)
    steps_by_order: dict[str, list[np.ndarray]] = {"find_path": [], SHUFFLED: [], RANDOM_SONGS: []}
    lengths = []
    for _ in range(PATH_PAIRS):
        start, end = (str(item_id) for item_id in rng.choice(ids, size=2, replace=False))
        path = call(client, "get", "/api/find_path", start_song_id=start, end_song_id=end, max_steps=PATH_LENGTH)
        order = [row["item_id"] for row in path["path"]]
        lengths.append(len(order))
        steps_by_order["find_path"].append(steps(order, vectors))
        others = [item_id for item_id in ids if item_id not in (start, end)]
        for _ in range(RANDOM_ORDERS_PER_PATH):
            middle = list(rng.permutation(order[1:-1]))
            steps_by_order[SHUFFLED].append(steps([start, *middle, end], vectors))
            # As many songs as the path found: step statistics depend on the number of steps.
            chosen = list(rng.choice(others, size=len(order) - 2, replace=False))
            steps_by_order[RANDOM_SONGS].append(steps([start, *chosen, end], vectors))
    orders = {
        name: {
            "mean_step": float(np.mean(np.concatenate(paths))),
            "mean_of_max_step": float(np.mean([path.max() for path in paths])),
            "largest_step": float(max(path.max() for path in paths)),
        }
        for name, paths in steps_by_order.items()
    }
    return {"pairs": PATH_PAIRS, "max_steps": PATH_LENGTH, "path_lengths": summary_of(lengths), "orders": orders}


def steps(order: list[str], vectors: dict[str, np.ndarray]) -> np.ndarray:
    """Cosine distance (1 - cos) between each song and the next."""
    return np.array([1.0 - float(vectors[a] @ vectors[b]) for a, b in itertools.pairwise(order)])


def summary_of(values: list[int]) -> dict:
    return {"min": int(min(values)), "mean": float(np.mean(values)), "max": int(max(values))}


def print_quality(result: dict) -> None:
    settings = result["settings"]
    print(
        f"\nquality on {result['tracks']} analysed public corpus tracks ({result['model_version']}, "
        f"{result['skipped_tracks']} skipped)"
    )
    print("settings: " + ", ".join(f"{name}={value}" for name, value in settings.items()))
    print(
        f"\nsimilar_tracks precision@{PRECISION_AT}, every track a query (artist cap = "
        f"{settings['MAX_SONGS_PER_ARTIST']} songs per artist)"
    )
    print(f"{'mode':<24} {'same album':>11} {'same style':>11} {'returned':>9}")
    for mode, figures in result["precision_at_10"].items():
        returned = f"{figures['mean_returned']:9.1f}" if "mean_returned" in figures else ""
        print(f"{mode:<24} {figures['album']:11.3f} {figures['style']:11.3f} {returned}")
    paths = result["paths"]
    lengths = paths["path_lengths"]
    print(
        f"\nfind_path smoothness: {paths['pairs']} random start/end pairs, max_steps={paths['max_steps']} "
        f"(songs per path: min {lengths['min']}, mean {lengths['mean']:.1f}, max {lengths['max']}); "
        "cosine distance between consecutive songs"
    )
    print(f"{'order':<32} {'mean step':>10} {'mean max step':>14} {'largest step':>13}")
    for name, figures in paths["orders"].items():
        print(
            f"{name:<32} {figures['mean_step']:10.4f} {figures['mean_of_max_step']:14.4f} "
            f"{figures['largest_step']:13.4f}"
        )


# -- latency -------------------------------------------------------------------------------------


def latency(*, tracks: int, requests: int) -> dict:
    started = time.perf_counter()
    store_library(tracks)
    stored = time.perf_counter()
    load_index()
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
    print("\nlatency through the API (Django test Client, one process)")
    for name, figures in rows.items():
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else ("  ok" if figures["p95_ms"] < target else "  OVER TARGET")
        limit = f"(target p95 < {target:.0f} ms)" if target else ""
        print(f"{name:34} p50 {figures['p50_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms {limit}{verdict}")


if __name__ == "__main__":
    sys.exit(main())
