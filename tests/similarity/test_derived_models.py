"""The derived models: fitted after each index rebuild by a worker, stored by kind, reloaded in every process."""

from __future__ import annotations

import time

import numpy as np
import pytest

from analysis.models import Embedding
from similarity import artists, hyperbolic, services
from similarity.derived import DerivedModelManager, derived_model_refit
from similarity.engine.artists import similar_artists
from similarity.models import DerivedModel, VectorIndex
from tests.factories import EmbeddingFactory, TrackFactory
from tests.similarity.conftest import build_library, fit_derived_models

KINDS = (artists.ARTIST_MODEL, hyperbolic.HYPERBOLIC_MODEL)


@pytest.mark.django_db
def test_each_kind_is_stored_once_with_the_index_version_it_was_fitted_from(library):
    fit_derived_models()
    index_version = VectorIndex.objects.get().version
    stored = {row.kind: row for row in DerivedModel.objects.all()}
    assert set(stored) == {"artists", "hyperbolic"}
    assert all(row.version == 1 and row.index_version == index_version for row in stored.values())
    assert stored["hyperbolic"].size == len(library.vectors)
    assert stored["artists"].size == len(set(library.artist_of.values()))


@pytest.mark.django_db
def test_a_fit_for_the_same_index_is_skipped_and_a_new_index_or_force_refits(library):
    fit_derived_models()
    assert derived_model_refit(kind=hyperbolic.HYPERBOLIC_MODEL).version == 1
    assert derived_model_refit(kind=hyperbolic.HYPERBOLIC_MODEL, force=True).version == 2
    services.vector_index_rebuild()
    assert derived_model_refit(kind=hyperbolic.HYPERBOLIC_MODEL).version == 3


@pytest.mark.django_db
def test_an_empty_library_stores_no_model(library):
    fit_derived_models()
    Embedding.objects.all().delete()
    services.vector_index_rebuild()
    fit_derived_models()
    assert not DerivedModel.objects.exists()


@pytest.mark.django_db
def test_the_loaded_artist_model_groups_tracks_by_their_author(fitted_models):
    model = artists.artist_models.current()
    assert "Jazz Artist 2" in model
    nearest = similar_artists(model, artist_key="Jazz Artist 2", n=3)
    assert all(result.artist_key.startswith("Jazz Artist") for result in nearest)


@pytest.mark.django_db
def test_managers_follow_new_versions_by_version_check(fitted_models, derived_model_managers):
    manager = derived_model_managers["hyperbolic"]
    first = manager.current()
    derived_model_refit(kind=hyperbolic.HYPERBOLIC_MODEL, force=True)
    manager.reload()
    assert manager.current() is not first and len(manager.current()) == len(first)


@pytest.mark.django_db(transaction=True)
def test_a_new_fit_reaches_a_running_process_within_two_seconds():
    build_library()
    fit_derived_models()
    manager = DerivedModelManager(hyperbolic.HYPERBOLIC_MODEL)
    try:
        before = len(manager.current())
        time.sleep(0.3)  # the listener thread subscribes
        EmbeddingFactory(track=TrackFactory(item_id="late-arrival"), vector=np.ones(200))
        services.vector_index_rebuild()
        published_at = time.monotonic()
        derived_model_refit(kind=hyperbolic.HYPERBOLIC_MODEL)
        while len(manager.in_memory()) == before and time.monotonic() - published_at < 2.0:
            time.sleep(0.05)
        assert "late-arrival" in manager.in_memory().model.positions
        assert time.monotonic() - published_at < 2.0 + 1.0  # the fit itself is part of the wait
    finally:
        manager.close()


def test_library_changes_rebuild_the_index_and_a_worker_fits_the_models(celery_worker, token_client):
    build_library()
    services.vector_index_rebuild_on_library_change(reason="analysis")
    deadline = time.monotonic() + 60
    while DerivedModel.objects.count() < len(KINDS) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert set(DerivedModel.objects.values_list("kind", flat=True)) == {kind.name for kind in KINDS}
    # Every process sees them: the routes answer (through the test's managers, which read the database).
    seed = Embedding.objects.values_list("track__item_id", flat=True).first()
    response = token_client.post("/api/hyperbolic/similar", {"item_id": seed, "limit": 5}, format="json")
    assert response.status_code == 200 and response.json()["count"] == 5
