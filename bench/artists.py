"""Similar-artists benchmark: style agreement on the analysed real-music corpus, latency at 10k artists.

    python bench/artists.py [--quality] [--latency] [--artists 10000] [--requests 300] [--corpus DIR]

With neither flag both parts run (``make bench-artists`` asks for both).

Quality: the public corpus tracks, analysed once and cached
(bench/analysed_corpus.py), are stored as Track/TrackAnalysis/Embedding rows
in a throw-away database, the vector index is built, and every artist is a
query of ``GET /api/similar_artists`` (n=3) through Django's test Client. An
artist's style is the corpus' most common ``style_label`` among its tracks;
printed: the share of the returned artists whose style is the seed's, against
chance (for each seed, the share of all other artists with its style,
averaged over the seeds). It needs the full public corpus
(../shared/corpus/public.txt): with fewer tracks present it says so and skips
this part, since a handful of artists says nothing.

Latency: ``--artists`` synthetic artists (1 to 40 tracks each, about 5 on
average; 200-d embeddings around 100 Gaussian styles) are stored in the real
tables, the index is built by the similarity service, the artist model is
fitted and stored as the worker does after an index rebuild, and ``--requests`` seeds are timed through the
test Client with the API token (n=10, with and without component matches).
The one-minute load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO_DIR = Path(__file__).resolve().parent.parent
# Run as `python bench/artists.py`, Python puts bench/ first on sys.path; keep the repository first.
sys.path[:] = [str(REPO_DIR), *(entry for entry in sys.path[1:] if entry != str(REPO_DIR))]

from bench import analysed_corpus  # noqa: E402 - needs the path above
from bench.environment import django_with_services  # noqa: E402

TARGET_P95_MS = 50.0
QUALITY_NEIGHBOURS = 3
STYLES = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", action="store_true", help="style agreement on the analysed public corpus")
    parser.add_argument("--latency", action="store_true", help="similar_artists latency at --artists artists")
    parser.add_argument("--artists", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per variant")
    parser.add_argument("--corpus", default=None, help="corpus directory (default: $AUDIOMUSE_CORPUS_DIR)")
    arguments = parser.parse_args()
    run_both = not (arguments.quality or arguments.latency)
    corpus = None
    if arguments.quality or run_both:
        corpus = full_corpus(arguments.corpus)
    summary: dict = {}
    with django_with_services():
        if corpus is not None:
            summary["quality"] = quality(corpus)
        if arguments.latency or run_both:
            summary["latency"] = latency(artists=arguments.artists, requests=arguments.requests)
    print(json.dumps(summary, indent=2))


def full_corpus(given: str | None) -> analysed_corpus.AnalysedCorpus | None:
    """The analysed corpus when every public track is there; None (and why, printed) otherwise."""
    try:
        corpus_dir = analysed_corpus.corpus_directory(given)
        present = len(analysed_corpus.public_rows(corpus_dir))
    except analysed_corpus.CorpusMissingError as exc:
        print(f"quality: SKIPPED - {exc}", flush=True)
        return None
    wanted = len(analysed_corpus.public_relpaths())
    if present < wanted:
        print(
            f"quality: SKIPPED - the full public corpus is not available: {present} of its {wanted} tracks are in "
            f"{corpus_dir}. Build it with `{analysed_corpus.BUILD_SCRIPT} DIR` and set AUDIOMUSE_CORPUS_DIR=DIR.",
            flush=True,
        )
        return None
    return analysed_corpus.load(corpus=corpus_dir)


# -- HTTP client ---------------------------------------------------------------------------------


def api_client():
    from django.conf import settings
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Bearer {settings.API_TOKEN}")


def similar_artists(client, **params) -> list[dict]:
    response = client.get("/api/similar_artists", params)
    if response.status_code != 200:
        raise RuntimeError(f"similar_artists answered {response.status_code}: {response.content[:300]!r}")
    return response.json()


def load_index() -> None:
    """Build the index and fit the artist model, as the worker does after an analysis, and load both here."""
    from similarity import artists
    from similarity.derived import derived_model_refit
    from similarity.index_manager import index_manager
    from similarity.services import vector_index_rebuild

    vector_index_rebuild()
    index_manager.reload()  # not left to the reload message: the first request follows at once
    started = time.monotonic()
    derived_model_refit(kind=artists.ARTIST_MODEL)
    print(f"artist model fitted and stored in {time.monotonic() - started:.1f} s", flush=True)
    artists.artist_models.reload()


# -- quality -------------------------------------------------------------------------------------


def quality(corpus: analysed_corpus.AnalysedCorpus) -> dict:
    """Share of each artist's nearest artists (n=3) with its style, and the share chance gives."""
    from analysis.models import Track

    analysed_corpus.store_in_database(corpus)
    load_index()
    client = api_client()
    styles_of: dict[str, Counter] = {}
    for artist, style in zip(corpus.artists, corpus.styles, strict=True):
        styles_of.setdefault(artist, Counter())[style] += 1
    style = {artist: counts.most_common(1)[0][0] for artist, counts in styles_of.items()}
    result = style_agreement(client, style)
    Track.objects.all().delete()  # the latency part starts from an empty library
    print(
        f"quality: {result['artists']} artists, {len(corpus)} tracks, {result['styles']} styles; "
        f"nearest {QUALITY_NEIGHBOURS} artists share the seed's style {100 * result['same_style']:.1f}% "
        f"of the time, chance {100 * result['chance']:.1f}%",
        flush=True,
    )
    return result


def style_agreement(client, style: dict[str, str]) -> dict:
    """Every artist with at least one other artist of any style is a seed; shares averaged over the seeds."""
    counts = Counter(style.values())
    agreements, chances = [], []
    for artist, own in style.items():
        rows = similar_artists(client, artist=artist, n=QUALITY_NEIGHBOURS)
        if not rows:
            continue
        agreements.append(np.mean([style[row["artist"]] == own for row in rows]))
        chances.append((counts[own] - 1) / (len(style) - 1))
    return {
        "artists": len(style),
        "styles": len(counts),
        "seeds": len(agreements),
        "neighbours": QUALITY_NEIGHBOURS,
        "same_style": round(float(np.mean(agreements)), 4),
        "chance": round(float(np.mean(chances)), 4),
    }


# -- latency -------------------------------------------------------------------------------------


def latency(*, artists: int, requests: int) -> dict:
    started = time.perf_counter()
    tracks = store_library(artists)
    stored = time.perf_counter()
    load_index()
    indexed = time.perf_counter()
    client = api_client()
    rng = np.random.default_rng(1)
    seeds = [artist_name(number) for number in rng.integers(0, artists, size=requests)]
    similar_artists(client, artist=seeds[0], n=10)  # reads the artist directory in this process
    first = time.perf_counter()
    print(
        f"latency: stored {artists} artists ({tracks} tracks) in {stored - started:.0f} s, built the index and "
        f"the artist model in {indexed - stored:.0f} s, first request {first - indexed:.1f} s",
        flush=True,
    )
    variants = {
        "similar_artists n=10": {"n": 10},
        "similar_artists n=10, component matches": {"n": 10, "include_component_matches": "true"},
        "similar_artists by id n=10": {"n": 10, "by_id": True},
    }
    from similarity.artists import current_artists

    directory = current_artists.current().directory
    elapsed: dict[str, list[float]] = {name: [] for name in variants}
    for seed in seeds:  # the variants take turns, so a burst of load on the machine hits them all alike
        for name, params in variants.items():
            params = dict(params)
            query = {"artist_id": directory.artist_ids[seed]} if params.pop("by_id", False) else {"artist": seed}
            begun = time.perf_counter()
            similar_artists(client, **query, **params)
            elapsed[name].append((time.perf_counter() - begun) * 1000)
    load = os.getloadavg()[0]
    figures = {}
    for name, values in elapsed.items():
        p50, p95 = np.percentile(values, [50, 95])
        figures[name] = {"p50_ms": round(float(p50), 1), "p95_ms": round(float(p95), 1)}
        verdict = "ok" if p95 < TARGET_P95_MS else f"OVER the {TARGET_P95_MS:.0f} ms target"
        print(f"latency: {name:<42} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ({verdict})")
    print(f"latency: load average {load:.1f} on {os.cpu_count()} CPUs after the timed requests", flush=True)
    return {"artists": artists, "tracks": tracks, "load_average": round(load, 2), "figures": figures}


def store_library(artists: int, *, batch: int = 5000) -> int:
    """Artists of 1 to 40 tracks (about 5 on average) around STYLES styles; returns how many tracks."""
    from django.utils import timezone

    from analysis.models import EMBEDDING_DIMENSIONS, Embedding, Track, TrackAnalysis

    rng = np.random.default_rng(0)
    styles = rng.integers(0, STYLES, size=artists)
    centres = 3.0 * rng.normal(size=(STYLES, EMBEDDING_DIMENSIONS))
    artist_centres = centres[styles] + rng.normal(size=(artists, EMBEDDING_DIMENSIONS))
    counts = np.minimum(rng.geometric(0.2, size=artists), 40)
    owners = np.repeat(np.arange(artists), counts)
    now = timezone.now()
    for offset in range(0, len(owners), batch):
        chunk = owners[offset : offset + batch]
        tracks = Track.objects.bulk_create(
            Track(item_id=f"bench-{offset + i}", title=f"Song {offset + i}", author=artist_name(owner),
                  artist_id=f"ar-{owner}", album=f"Album {owner}", album_artist=artist_name(owner))
            for i, owner in enumerate(chunk.tolist())
        )  # fmt: skip
        vectors = artist_centres[chunk] + 1.5 * rng.normal(size=(len(chunk), EMBEDDING_DIMENSIONS))
        Embedding.objects.bulk_create(
            Embedding(track=t, vector=v, model_version="bench") for t, v in zip(tracks, vectors, strict=True)
        )
        TrackAnalysis.objects.bulk_create(
            TrackAnalysis(track=t, tempo=120.0, key="A", scale="minor", energy=0.5, model_version="bench",
                          analysed_at=now)
            for t in tracks
        )  # fmt: skip
    return len(owners)


def artist_name(number: int) -> str:
    return f"Artist {number}"


if __name__ == "__main__":
    main()
