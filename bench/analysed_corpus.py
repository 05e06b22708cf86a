"""The public real-music corpus, analysed once by the real analysis engine and cached.

    python -m bench.analysed_corpus [--corpus DIR] [--limit N]

Benchmarks of what comes after analysis (similar songs, paths, clustering)
need real embeddings, and analysing the corpus takes minutes; this module does
it once and keeps the results in var/bench/analysed_corpus.npz (arrays) and
.json (everything else), so a rerun is instant.

Tracks: those of ../shared/corpus/public.txt present in the corpus directory
(--corpus, else $AUDIOMUSE_CORPUS_DIR, else ../corpus-cache next to the repo,
where ../shared/corpus/build-corpus.sh puts it when run from there). Each
track's first MAX_DURATION_SECONDS are analysed with the MSD model, by
PROCESSES worker processes of one ONNX thread each.

The cache remembers every file by absolute path, size and modification time,
and is valid only for the same model files and analysis settings: a changed
file is analysed again, an unchanged one never is, and tracks of several
corpus directories (or --limit subsets) share it. Files that cannot be
decoded are remembered too, and reported on every load.

The workers are spawned processes, which import the caller's main module
again: call load() from a file or ``python -m`` (not stdin), behind the usual
``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import multiprocessing
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.environment import REPO_DIR, SHARED_DIR

DEFAULT_CORPUS_DIR = REPO_DIR.parent / "corpus-cache"
PUBLIC_LIST = SHARED_DIR / "corpus" / "public.txt"
BUILD_SCRIPT = "../shared/corpus/build-corpus.sh"
MODEL_DIR = REPO_DIR / "var" / "models"
CACHE_DIR = REPO_DIR / "var" / "bench"
CACHE_STEM = "analysed_corpus"
# The first two minutes hold a track's character; analysing whole tracks
# (AUDIO_MAX_DURATION's default is 600 s) would cost 2-3x as long on 2 cores.
MAX_DURATION_SECONDS = 120.0
PROCESSES = 2
EMBEDDING_DIMENSIONS = 200


class CorpusMissingError(SystemExit):
    """No corpus where we looked: says how to build one (exits with that message when uncaught)."""


@dataclass(frozen=True, eq=False)
class AnalysedCorpus:
    """The analysed public corpus tracks, one position per track in every field.

    relpaths, titles, artists, albums, styles (the corpus' style_label): list[str].
    embeddings: np.ndarray [shape=(n, 200), dtype=float32], mean MSD musicnn embeddings.
    tempo: np.ndarray [shape=(n,)], BPM. energy: np.ndarray [shape=(n,)], 0..1.
    moods: every MSD tag, label -> mean probability (what TrackAnalysis.moods stores).
    other_features: danceable, aggressive, happy, party, relaxed, sad -> 0..1.
    key: "C".."B"; scale: "major"/"minor".
    model_version: the analysis' model stamp. skipped: relpath -> why it was not analysed.
    """

    relpaths: list[str]
    titles: list[str]
    artists: list[str]
    albums: list[str]
    styles: list[str]
    embeddings: np.ndarray
    tempo: np.ndarray
    energy: np.ndarray
    moods: list[dict[str, float]]
    other_features: list[dict[str, float]]
    key: list[str]
    scale: list[str]
    model_version: str = ""
    skipped: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.relpaths)


def load(limit: int | None = None, corpus: Path | str | None = None, *, verbose: bool = True) -> AnalysedCorpus:
    """The analysed corpus, analysing only tracks the cache lacks (or whose file changed).

    limit: take N tracks spread evenly over the public list (every package represented).
    corpus: the corpus directory (default: $AUDIOMUSE_CORPUS_DIR, else ../corpus-cache).
    Raises CorpusMissingError when the directory holds no index.csv or no public track.
    """
    corpus_dir = corpus_directory(corpus).resolve()
    rows = public_rows(corpus_dir, limit=limit)
    files = {_cache_key(corpus_dir, row): file_identity(corpus_dir / row["relpath"]) for row in rows}
    settings_key = analysis_settings_key()
    cache = _read_cache(settings_key)
    missing = [key for key, identity in files.items() if cache.get(key, {}).get("file") != identity]
    if missing:
        fresh = _analyse(missing, verbose=verbose)
        for key, entry in fresh.items():
            cache[key] = {**entry, "file": files[key]}
        _write_cache(settings_key, cache)
    return _assemble(rows, {row["relpath"]: cache[_cache_key(corpus_dir, row)] for row in rows})


def corpus_directory(given: Path | str | None = None) -> Path:
    """The corpus to use; exits with how to build one when there is none."""
    # Benchmarks run outside Django, so the environment is read here, not in settings.
    corpus_dir = Path(given or os.environ.get("AUDIOMUSE_CORPUS_DIR") or DEFAULT_CORPUS_DIR)
    if not (corpus_dir / "index.csv").is_file():
        raise CorpusMissingError(
            f"no corpus at {corpus_dir} (no index.csv). Build it with `{BUILD_SCRIPT} {corpus_dir}` "
            "(from the repository directory; ~1.2 GB of Debian packages, a few minutes), or point "
            "--corpus / AUDIOMUSE_CORPUS_DIR at an existing build."
        )
    return corpus_dir


def public_relpaths() -> list[str]:
    """The corpus paths benchmarks may use (public.txt), in its order."""
    return [line.strip() for line in PUBLIC_LIST.read_text(encoding="utf-8").splitlines() if line.strip()]


def public_rows(corpus_dir: Path, *, limit: int | None = None) -> list[dict[str, str]]:
    """index.csv rows of the public tracks present on disk, in index order."""
    public = set(public_relpaths())
    with (corpus_dir / "index.csv").open(newline="", encoding="utf-8") as index:
        rows = [row for row in csv.DictReader(index) if row["relpath"] in public]
    rows = [row for row in rows if (corpus_dir / row["relpath"]).is_file()]
    if not rows:
        raise CorpusMissingError(f"no public corpus tracks in {corpus_dir}: rebuild it with `{BUILD_SCRIPT}`")
    if limit is not None and 0 < limit < len(rows):
        step = len(rows) / limit
        rows = [rows[int(i * step)] for i in range(limit)]
    return rows


def _cache_key(corpus_dir: Path, row: dict[str, str]) -> str:
    """A track's absolute path: the same relpath in two corpus directories is two tracks."""
    return str(corpus_dir / row["relpath"])


def file_identity(path: Path) -> list[int]:
    """Size and modification time: what changes when a file is rebuilt (a list, as JSON keeps it)."""
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def analysis_settings_key() -> str:
    """Changes whenever the analysis of an unchanged file could change: settings or model files."""
    from analysis.audio.analyze import AnalysisConfig
    from analysis.audio.model_build import musicnn_model_path

    config = AnalysisConfig(max_duration_seconds=MAX_DURATION_SECONDS)
    model_path = musicnn_model_path(MODEL_DIR, "msd")
    if not model_path.is_file():
        raise SystemExit(f"no model at {model_path}: run `.venv/bin/python manage.py build_models` first")
    described = {
        "config": {name: str(value) for name, value in vars(config).items() if name != "threads"},
        "model": file_identity(model_path),
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:16]


# -- analysis in worker processes ----------------------------------------------------------------


def _analyse(paths: list[str], *, verbose: bool) -> dict[str, dict]:
    """path -> analysis entry (or {"error": ...}) for every given file, PROCESSES at a time."""
    results: dict[str, dict] = {}
    progress = _Progress(total=len(paths), enabled=verbose)
    # spawn, not fork: the caller may hold database connections or threads a fork would copy.
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES, initializer=_worker_start) as pool:
        for path, entry in pool.imap_unordered(_worker_analyse, paths):
            results[path] = entry
            progress.advance(path, failed="error" in entry)
    progress.finish()
    return results


# In each worker process: the config and the models, loaded once by _worker_start.
_WORKER_STATE: dict = {}


def _worker_start() -> None:
    from analysis.audio.analyze import AnalysisConfig, ModelSet

    # One ONNX thread per process: PROCESSES processes share the cores instead of fighting over them.
    config = AnalysisConfig(max_duration_seconds=MAX_DURATION_SECONDS, threads=1)
    _WORKER_STATE["config"] = config
    _WORKER_STATE["models"] = ModelSet.load(model_dir=MODEL_DIR, config=config)


def _worker_analyse(path: str) -> tuple[str, dict]:
    from analysis.audio.analyze import analyze_file
    from analysis.audio.errors import AudioError

    try:
        analysis = analyze_file(path, models=_WORKER_STATE["models"], config=_WORKER_STATE["config"])
    except AudioError as exc:
        # One bad file must not sink the build: it is remembered and reported instead.
        return path, {"error": f"{type(exc).__name__}: {exc}"}
    return path, {
        "embedding": analysis.embedding.tolist(),
        "tempo": analysis.tempo,
        "energy": analysis.energy,
        "moods": analysis.msd_tags,
        "other_features": analysis.other_features,
        "key": analysis.key,
        "scale": analysis.scale,
        "analysed_seconds": analysis.duration_seconds,
        "model_version": analysis.model_version,
    }


class _Progress:
    """One self-overwriting line on stderr: done/total, failures, elapsed and remaining time."""

    def __init__(self, *, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self.done = self.failed = 0
        self.started = time.monotonic()
        if enabled:
            plan = f"first {MAX_DURATION_SECONDS:g} s, {PROCESSES} processes"
            print(f"analysing {total} tracks ({plan})", file=sys.stderr)

    def advance(self, path: str, *, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        remaining = elapsed / self.done * (self.total - self.done)
        line = (
            f"[{self.done:{len(str(self.total))}d}/{self.total}] {self.failed} failed, "
            f"{elapsed:4.0f} s elapsed, ~{remaining:4.0f} s left  {path[-50:]}"
        )
        print(f"\r{line:<110}", end="", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.enabled:
            print(file=sys.stderr)


# -- the cache -----------------------------------------------------------------------------------


def _cache_paths() -> tuple[Path, Path]:
    return CACHE_DIR / f"{CACHE_STEM}.npz", CACHE_DIR / f"{CACHE_STEM}.json"


def _read_cache(settings_key: str) -> dict[str, dict]:
    """path -> cached entry (with its "embedding" back in place); empty when stale or unreadable."""
    arrays_path, metadata_path = _cache_paths()
    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
        with np.load(arrays_path) as arrays:
            embeddings, paths = arrays["embeddings"], arrays["paths"].tolist()
    except (OSError, ValueError, KeyError):
        return {}
    # The two files are written one after the other: trust them only as a matching pair.
    if metadata.get("settings_key") != settings_key or metadata.get("embedded_paths") != paths:
        return {}
    entries = metadata["tracks"]
    for path, embedding in zip(paths, embeddings, strict=True):
        entries[path]["embedding"] = embedding
    return entries


def _write_cache(settings_key: str, entries: dict[str, dict]) -> None:
    arrays_path, metadata_path = _cache_paths()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    entries = {path: entry for path, entry in entries.items() if Path(path).is_file()}  # forget deleted files
    embedded = sorted(path for path, entry in entries.items() if "embedding" in entry)
    embeddings = np.array([entries[path]["embedding"] for path in embedded], dtype=np.float32)
    tracks = {path: {k: v for k, v in entry.items() if k != "embedding"} for path, entry in entries.items()}
    metadata = {"settings_key": settings_key, "embedded_paths": embedded, "tracks": tracks}
    # Written under temporary names and renamed, so an interrupted run leaves the old pair or none.
    temporary_arrays = arrays_path.with_suffix(".tmp.npz")
    np.savez(temporary_arrays, embeddings=embeddings.reshape(-1, EMBEDDING_DIMENSIONS), paths=np.array(embedded))
    temporary_metadata = metadata_path.with_suffix(".tmp.json")
    temporary_metadata.write_text(json.dumps(metadata), encoding="utf-8")
    os.replace(temporary_arrays, arrays_path)
    os.replace(temporary_metadata, metadata_path)


def _assemble(rows: list[dict[str, str]], results: dict[str, dict]) -> AnalysedCorpus:
    """The corpus from index rows and relpath -> cached entry."""
    analysed = [row for row in rows if "error" not in results[row["relpath"]]]
    entries = [results[row["relpath"]] for row in analysed]
    embeddings = np.array([entry["embedding"] for entry in entries], dtype=np.float32)
    return AnalysedCorpus(
        relpaths=[row["relpath"] for row in analysed],
        titles=[row["title"] for row in analysed],
        artists=[row["artist"] for row in analysed],
        albums=[row["album"] for row in analysed],
        styles=[row["style_label"] for row in analysed],
        embeddings=embeddings.reshape(-1, EMBEDDING_DIMENSIONS),
        tempo=np.array([entry["tempo"] for entry in entries], dtype=np.float64),
        energy=np.array([entry["energy"] for entry in entries], dtype=np.float64),
        moods=[entry["moods"] for entry in entries],
        other_features=[entry["other_features"] for entry in entries],
        key=[entry["key"] for entry in entries],
        scale=[entry["scale"] for entry in entries],
        model_version=entries[0]["model_version"] if entries else "",
        skipped={
            row["relpath"]: results[row["relpath"]]["error"] for row in rows if "error" in results[row["relpath"]]
        },
    )


# -- command line --------------------------------------------------------------------------------


def store_in_database(corpus: AnalysedCorpus) -> list[str]:
    """Track, TrackAnalysis and Embedding rows for every track (Django set up); their item ids, in corpus order."""
    from django.utils import timezone

    from analysis.models import Embedding, Track, TrackAnalysis

    item_ids = [f"corpus-{number}" for number in range(len(corpus))]
    tracks = Track.objects.bulk_create(
        Track(item_id=item_id, server_type="local", title=title, author=artist, album=album, album_artist=artist,
              path=relpath)
        for item_id, title, artist, album, relpath in zip(
            item_ids, corpus.titles, corpus.artists, corpus.albums, corpus.relpaths, strict=True
        )
    )  # fmt: skip
    now = timezone.now()
    TrackAnalysis.objects.bulk_create(
        TrackAnalysis(track=track, tempo=float(corpus.tempo[i]), key=corpus.key[i], scale=corpus.scale[i],
                      energy=float(corpus.energy[i]), moods=corpus.moods[i], other_features=corpus.other_features[i],
                      model_version=corpus.model_version, analysed_at=now)
        for i, track in enumerate(tracks)
    )  # fmt: skip
    Embedding.objects.bulk_create(
        Embedding(track=track, vector=vector, model_version=corpus.model_version)
        for track, vector in zip(tracks, corpus.embeddings, strict=True)
    )
    return item_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", help="corpus directory (default: $AUDIOMUSE_CORPUS_DIR, else ../corpus-cache)")
    parser.add_argument("--limit", type=int, default=None, help="N tracks spread over the public list")
    arguments = parser.parse_args()
    started = time.monotonic()
    corpus = load(limit=arguments.limit, corpus=arguments.corpus)
    print(f"{len(corpus)} tracks analysed ({corpus.model_version}, first {MAX_DURATION_SECONDS:g} s), "
          f"loaded in {time.monotonic() - started:.1f} s; cache {CACHE_DIR / CACHE_STEM}.npz/.json")  # fmt: skip
    for style, count in sorted(Counter(corpus.styles).items(), key=lambda item: (-item[1], item[0])):
        print(f"  {style:<16} {count:4d}")
    if corpus.skipped:
        print(f"skipped {len(corpus.skipped)} tracks that could not be analysed:")
        for relpath, reason in corpus.skipped.items():
            print(f"  {relpath}: {reason}")


if __name__ == "__main__":
    main()
