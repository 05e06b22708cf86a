"""The vector index: built from the embedding table, stored, reloaded everywhere, exact enough."""

import time

import numpy as np
import pytest

from analysis.models import Embedding
from similarity import selectors, services
from similarity.engine.vector_index import IndexParams, IndexQueryError, LoadedIndex, build_index_bytes
from similarity.errors import IndexNotReady
from similarity.index_manager import IndexManager
from similarity.models import VectorIndex
from tests.factories import EmbeddingFactory, TrackFactory


@pytest.fixture(autouse=True)
def _close_managers(monkeypatch):
    created = []
    original_init = IndexManager.__init__

    def tracking_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        created.append(self)

    monkeypatch.setattr(IndexManager, "__init__", tracking_init)
    yield
    for manager in created:
        manager.close()


def clustered_vectors(count: int, *, seed: int = 7) -> np.ndarray:
    """Embedding-like vectors: a few dozen musical 'styles' plus per-track spread."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, 200))
    return centres[rng.integers(0, 40, size=count)] + 0.6 * rng.normal(size=(count, 200))


def store_embeddings(vectors: np.ndarray) -> list[str]:
    tracks = [TrackFactory.build(item_id=f"t{i:05d}") for i in range(len(vectors))]
    TrackFactory._meta.model.objects.bulk_create(tracks)
    pairs = zip(tracks, vectors, strict=True)
    Embedding.objects.bulk_create(
        Embedding(track=track, vector=vector, model_version="test") for track, vector in pairs
    )
    return [track.item_id for track in tracks]


def test_engine_distances_are_cosine_distances():
    vectors = np.array([[1, 0, 0], [0, 2, 0], [3, 3, 0]], dtype=np.float32)
    index = LoadedIndex.from_bytes(
        build_index_bytes(vectors, params=IndexParams(m=8, ef_construction=20)), item_ids=["x", "y", "xy"], version=1
    )
    result = index.nearest(np.array([1, 0, 0]), k=3, query_ef=10)
    assert [item for item, _ in result] == ["x", "xy", "y"]
    assert [d for _, d in result] == pytest.approx([0.0, 1 - np.sqrt(0.5), 1.0], abs=1e-6)
    with pytest.raises(IndexQueryError):
        index.vector_of("missing")


@pytest.mark.django_db
def test_index_agrees_with_exact_pgvector_ranking():
    item_ids = store_embeddings(clustered_vectors(3000))
    services.vector_index_rebuild()
    manager = IndexManager()
    index = manager.current()
    assert len(index) == 3000

    rng = np.random.default_rng(1)
    queries = rng.choice(item_ids, size=60, replace=False)
    agreeing = 0
    for item_id in queries:
        vector = np.asarray(Embedding.objects.get(track__item_id=item_id).vector)
        approximate = [i for i, _ in index.nearest(vector, k=10, query_ef=200)]
        exact = [i for i, _ in selectors.nearest_by_pgvector(vector=vector, k=10)]
        agreeing += len(set(approximate) & set(exact))
    recall = agreeing / (10 * len(queries))
    assert recall >= 0.95, f"top-10 recall {recall:.3f}"


@pytest.mark.django_db
def test_no_embeddings_means_no_index():
    services.vector_index_rebuild()
    assert not VectorIndex.objects.exists()
    with pytest.raises(IndexNotReady):
        IndexManager().current()


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_reaches_a_running_process_within_two_seconds():
    store_embeddings(clustered_vectors(50))
    services.vector_index_rebuild()
    manager = IndexManager()
    assert len(manager.current()) == 50
    time.sleep(0.3)  # the listener thread subscribes

    EmbeddingFactory(track=TrackFactory(item_id="late-arrival"))
    published_at = time.monotonic()
    services.vector_index_rebuild()
    while "late-arrival" not in manager._loaded and time.monotonic() - published_at < 2.0:
        time.sleep(0.05)
    assert "late-arrival" in manager.current()
    assert time.monotonic() - published_at < 2.0


@pytest.mark.django_db
def test_versions_grow_with_each_rebuild():
    store_embeddings(clustered_vectors(20))
    first = services.vector_index_rebuild()
    second = services.vector_index_rebuild()
    assert second.version == first.version + 1
    assert second.size == 20
