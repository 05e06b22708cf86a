"""Clustering quality on the real corpus: how well the playlists follow the corpus' style labels.

    python -m bench.clustering_quality [--runs 1000] [--seeds 5] [--limit N]

The public corpus tracks, analysed once by bench/analysed_corpus.py, are
written as Track, TrackAnalysis and Embedding rows to a throw-away
PostgreSQL and read back with the selector the batch task uses. The
evolutionary search then runs as a job runs it, in this process: batches of
ITERATIONS_PER_BATCH_JOB runs (``engine.run_batch``, the elites carried from
batch to batch, one after another rather than in parallel), then
``engine.finalize_playlists`` on the best run, with the product's default
settings, which the engine scales down for a library this small.

The playlists are scored against the corpus' style_label on the tracks that
ended in playlists (the others are said): adjusted mutual information (AMI,
0 = chance, 1 = the styles exactly) and purity (share of tracks whose
playlist's most common style is theirs). For reference, on the same features
(standardised embeddings) and seeds:

- one plain scikit-learn KMeans with the playlists' K, on all tracks;
- the same KMeans, then the same clean-up (artist cap, minimum size, top N);
- the search's best run before the clean-up (the tracks it clustered), and a
  plain KMeans with its K, since purity grows with the number of groups.

Each figure is the mean (and standard deviation) over --seeds seeds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_DIR = Path(__file__).resolve().parent.parent
# Run as a script, bench/ comes first on the path and bench/clustering.py would shadow the clustering app.
sys.path[:] = [str(REPO_DIR), *(entry for entry in sys.path[1:] if entry != str(REPO_DIR))]

from bench import analysed_corpus  # noqa: E402
from bench.environment import django_with_services  # noqa: E402


@dataclass(frozen=True)
class Scored:
    """One grouping of some tracks, scored against their styles."""

    method: str
    groups: int
    tracks: int
    ami: float
    purity: float


def purity(*, styles: list[str], groups: list[int]) -> float:
    """Share of tracks whose group's most common style is their own."""
    members: dict[int, Counter] = {}
    for style, group in zip(styles, groups, strict=True):
        members.setdefault(group, Counter())[style] += 1
    return sum(counter.most_common(1)[0][1] for counter in members.values()) / len(styles)


def scored(method: str, clusters, *, style_of: dict[str, str]) -> Scored:
    """``clusters``: item ids per group; tracks in none of them are left out."""
    from sklearn.metrics import adjusted_mutual_info_score

    styles = [style_of[item_id] for cluster in clusters for item_id in cluster]
    groups = [group for group, cluster in enumerate(clusters) for _ in cluster]
    return Scored(
        method=method,
        groups=len(clusters),
        tracks=len(styles),
        ami=float(adjusted_mutual_info_score(styles, groups)) if styles else 0.0,
        purity=purity(styles=styles, groups=groups) if styles else 0.0,
    )


def evolutionary_search(data, config, *, seed: int, runs_per_batch: int):
    """The job's batches one after another, as the orchestration would run them on one worker."""
    from clustering import engine

    elites, best = (), None
    batches = range(0, config.clustering_runs, runs_per_batch)
    for index, first_run in enumerate(batches):
        result = engine.run_batch(
            data=data,
            config=config,
            elites=elites,
            iterations=min(runs_per_batch, config.clustering_runs - first_run),
            first_run_index=first_run,
            rng=np.random.default_rng([seed, index]),
        )
        elites = engine.updated_elites(elites=elites, candidates=result.elites, top_n=config.evolution.top_n_elites)
        if result.best is not None and (best is None or result.best.score > best.score):
            best = result.best
    if best is None:
        raise SystemExit("no run of the search gave usable clusters")
    playlists = engine.finalize_playlists(best=best, data=data, config=config, rng=np.random.default_rng([seed, 99]))
    return best, playlists


def plain_kmeans(data, *, clusters: int, seed: int) -> list[tuple[str, ...]]:
    """scikit-learn's KMeans (its defaults) on the standardised embeddings of every track."""
    from sklearn.cluster import KMeans

    from clustering.engine.features import clustering_features

    features = clustering_features(vectors=data.embeddings, pca_components=0, rng=np.random.default_rng(seed))
    labels = KMeans(n_clusters=clusters, random_state=seed).fit_predict(features)
    return [tuple(data.item_id_array[labels == label].tolist()) for label in range(clusters)]


def cleaned_up(data, config, clusters, *, seed: int) -> list[tuple[str, ...]]:
    """``clusters`` through the same post-processing as the search's best run."""
    from clustering import engine
    from clustering.engine import IterationParams, IterationResult, KMeansParams

    as_run = IterationResult(
        score=0.0, params=IterationParams(model=KMeansParams(n_clusters=len(clusters)), pca_components=0),
        clusters=tuple(clusters),
    )  # fmt: skip
    playlists = engine.finalize_playlists(best=as_run, data=data, config=config, rng=np.random.default_rng(seed))
    return [playlist.item_ids for playlist in playlists.playlists]


def one_seed(data, config, *, seed: int, runs_per_batch: int, style_of: dict[str, str]) -> list[Scored]:
    started = time.monotonic()
    best, playlists = evolutionary_search(data, config, seed=seed, runs_per_batch=runs_per_batch)
    searched = time.monotonic() - started
    playlist_tracks = [playlist.item_ids for playlist in playlists.playlists]
    kmeans = plain_kmeans(data, clusters=len(playlist_tracks), seed=seed)
    kmeans_like_best = plain_kmeans(data, clusters=len(best.clusters), seed=seed)
    results = [
        scored("evolutionary search: playlists", playlist_tracks, style_of=style_of),
        scored("plain KMeans, K of the playlists, all tracks", kmeans, style_of=style_of),
        scored("plain KMeans, same K, then the same clean-up", cleaned_up(data, config, kmeans, seed=seed),
               style_of=style_of),
        scored("evolutionary search: best run, before clean-up", best.clusters, style_of=style_of),
        scored("plain KMeans, K of the best run, all tracks", kmeans_like_best, style_of=style_of),
    ]  # fmt: skip
    print(f"seed {seed}: {config.clustering_runs} runs in {searched:.1f} s, best run {best.params.as_dict()}, "
          f"{len(playlist_tracks)} playlists; {playlists.scaling.rule}", flush=True)  # fmt: skip
    return results


def summary_table(per_seed: list[list[Scored]], *, total_tracks: int) -> list[dict]:
    rows = []
    for method_results in zip(*per_seed, strict=True):
        ami = np.array([result.ami for result in method_results])
        purities = np.array([result.purity for result in method_results])
        rows.append({
            "method": method_results[0].method,
            "groups": [result.groups for result in method_results],
            "tracks": [result.tracks for result in method_results],
            "total_tracks": total_tracks,
            "ami_mean": round(float(ami.mean()), 3), "ami_sd": round(float(ami.std()), 3),
            "purity_mean": round(float(purities.mean()), 3), "purity_sd": round(float(purities.std()), 3),
        })  # fmt: skip
    return rows


def print_table(rows: list[dict]) -> None:
    print(f"{'method':<48} {'K per seed':<16} {'tracks scored':<28} {'AMI':>13} {'purity':>13}")
    for row in rows:
        tracks = f"{','.join(map(str, row['tracks']))} of {row['total_tracks']}"
        ami_text = f"{row['ami_mean']:.3f} ± {row['ami_sd']:.3f}"
        purity_text = f"{row['purity_mean']:.3f} ± {row['purity_sd']:.3f}"
        groups = ",".join(map(str, row["groups"]))
        print(f"{row['method']:<48} {groups:<16} {tracks:<28} {ami_text:>13} {purity_text:>13}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=None, help="clustering runs per search (default: CLUSTERING_RUNS)")
    parser.add_argument("--seeds", type=int, default=5, help="searches (and KMeans fits) with seeds 0..N-1")
    parser.add_argument("--limit", type=int, default=None, help="corpus tracks (default: every public one)")
    arguments = parser.parse_args()
    corpus = analysed_corpus.load(limit=arguments.limit)
    styles = Counter(corpus.styles)
    print(f"{len(corpus)} analysed public tracks, {len(set(corpus.artists))} artists, styles: {dict(styles)}; "
          f"the most common style alone is {max(styles.values()) / len(corpus):.3f} of them")  # fmt: skip
    with django_with_services():
        from clustering import config as clustering_settings
        from clustering import selectors

        item_ids = analysed_corpus.store_in_database(corpus)
        style_of = dict(zip(item_ids, corpus.styles, strict=True))
        data = selectors.clustering_data_load(
            chunk_size=clustering_settings.orchestration_settings().db_fetch_chunk_size
        )
        config = clustering_settings.clustering_config_with_overrides(
            base=clustering_settings.clustering_config_from_settings(),
            params={} if arguments.runs is None else {"clustering_runs": arguments.runs},
        )
        runs_per_batch = clustering_settings.orchestration_settings().iterations_per_batch
        per_seed = [
            one_seed(data, config, seed=seed, runs_per_batch=runs_per_batch, style_of=style_of)
            for seed in range(arguments.seeds)
        ]
    rows = summary_table(per_seed, total_tracks=len(corpus))
    print_table(rows)
    print(json.dumps({"load_average": os.getloadavg(), "runs": config.clustering_runs, "methods": rows}, indent=2))


if __name__ == "__main__":
    main()
