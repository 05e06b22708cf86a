"""Vector index benchmark: build time and size at 10k and 100k tracks, and reload latency.

Synthetic 200-d embeddings (clustered like real ones) are stored in the real
embedding table, then the index is built by the same service the analysis
uses, stored in PostgreSQL, and picked up by a listening process.

    python bench/index.py [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from bench.environment import django_with_services


def store_embeddings(count: int, *, start: int) -> None:
    from analysis.models import Embedding, Track

    rng = np.random.default_rng(start)
    centres = rng.normal(size=(64, 200))
    for offset in range(0, count, 5000):
        size = min(5000, count - offset)
        vectors = centres[rng.integers(0, 64, size=size)] + 0.6 * rng.normal(size=(size, 200))
        tracks = Track.objects.bulk_create(
            Track(item_id=f"bench-{start + offset + i}", title=f"Track {start + offset + i}") for i in range(size)
        )
        Embedding.objects.bulk_create(
            Embedding(track=track, vector=vector, model_version="bench")
            for track, vector in zip(tracks, vectors, strict=True)
        )


def measure_reload(manager, expected_version: int) -> float:
    """Seconds from the rebuild's commit until the listening manager holds it."""
    started = time.monotonic()
    while manager._loaded is None or manager._loaded.version != expected_version:
        if time.monotonic() - started > 30:
            raise RuntimeError("reload never arrived")
        time.sleep(0.005)
    return time.monotonic() - started


def run(sizes: list[int]) -> list[dict]:
    from similarity.index_manager import IndexManager
    from similarity.models import VectorIndex
    from similarity.services import vector_index_rebuild

    manager = IndexManager()
    rows, stored = [], 0
    for size in sizes:
        store_embeddings(size - stored, start=stored)
        stored = size
        started = time.monotonic()
        index = vector_index_rebuild()
        rebuild_seconds = time.monotonic() - started
        if manager._loaded is None:
            manager.current()
            time.sleep(0.5)  # listener subscribed
            started = time.monotonic()
            index = vector_index_rebuild()
            rebuild_seconds = time.monotonic() - started
        reload_seconds = measure_reload(manager, index.version)
        size_mb = len(VectorIndex.objects.get(pk=index.pk).data) / 1e6
        rows.append({"tracks": size, "rebuild_seconds": round(rebuild_seconds, 2),
                     "read_and_build_seconds": index.build_seconds, "index_mb": round(size_mb, 1),
                     "reload_after_commit_seconds": round(reload_seconds, 3)})  # fmt: skip
        print(f"{size:>7} tracks: rebuild {rebuild_seconds:6.2f} s (read + build {index.build_seconds:6.2f} s), "
              f"index {size_mb:6.1f} MB, reload in a listening process {reload_seconds * 1000:6.0f} ms")  # fmt: skip
    manager.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    arguments = parser.parse_args()
    with django_with_services():
        rows = run(sorted(arguments.sizes))
    print(json.dumps({"index": rows}, indent=2))


if __name__ == "__main__":
    main()
