"""Property-based tests of every route in our own OpenAPI schema, against the live server and an analysed library.

schemathesis turns the schema (drf-spectacular, as /api/schema/ serves it) into requests, valid ones
and deliberately invalid ones, and checks each answer: never a 5xx, always the documented status codes
and shapes; and no read route changes the tracks table. The run is repeatable (a fixed seed, no example
database) and short; AUDIOMUSE_FUZZ_EXAMPLES=<n> and AUDIOMUSE_FUZZ_SEED=<n> run more examples per route
and mode, or other ones (see the README).
"""

from __future__ import annotations

import os

import pytest
import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from analysis.models import Embedding, Track, TrackAnalysis
from audiomuse.celery import app as celery_app
from similarity import artists, derived_cache, hyperbolic
from similarity import library as library_module
from tests.similarity.conftest import QuietDerivedModelManager, QuietIndexManager, build_library, fit_derived_models

EXAMPLES_PER_ROUTE = int(os.environ.get("AUDIOMUSE_FUZZ_EXAMPLES", "15"))
SEED = int(os.environ.get("AUDIOMUSE_FUZZ_SEED", "20261204"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Routes that are meant to write; every other route must leave the tracks table as it found it.
WRITE_ROUTES = {
    "POST /api/analysis/start",
    "POST /api/cleaning/start",
    "POST /api/clustering/start",
    "POST /api/cancel/{task_id}",
    "POST /api/cancel_all/{task_type}",
    "POST /api/create_playlist",
}


@pytest.fixture
def live_library(transactional_db, live_server, local_music_dir, monkeypatch):
    """The small analysed library, committed so the live server's threads see it, with its own index manager
    and its derived models fitted."""
    manager = QuietIndexManager()
    monkeypatch.setattr(library_module, "index_manager", manager)
    monkeypatch.setattr(derived_cache, "index_manager", manager)
    derived_cache.clear_all()  # fitted for another test's library
    derived = [QuietDerivedModelManager(artists.ARTIST_MODEL), QuietDerivedModelManager(hyperbolic.HYPERBOLIC_MODEL)]
    monkeypatch.setattr(artists, "artist_models", derived[0])
    monkeypatch.setattr(hyperbolic, "hyperbolic_models", derived[1])
    library = build_library()
    fit_derived_models()
    yield library
    for each in (manager, *derived):
        each.close()
    celery_app.control.purge()  # the start routes queued jobs no worker of this test ran


def api_schema() -> schemathesis.BaseSchema:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(document)


def tracks_snapshot() -> tuple:
    return (
        list(Track.objects.order_by("pk").values_list()),
        list(TrackAnalysis.objects.order_by("pk").values_list()),
        sorted(Embedding.objects.values_list("track_id", "model_version")),
    )


def operations():
    return [result.ok() for result in api_schema().get_all_operations()]


def test_the_schema_covers_every_api_route():
    labels = {operation.label for operation in operations()}
    assert len(labels) >= 24
    assert {"GET /api/similar_tracks", "POST /api/alchemy", "GET /api/status/{task_id}"} <= labels


@pytest.mark.slow
def test_no_route_fails_or_breaks_its_schema_on_generated_input(live_library, live_server):
    session = requests.Session()
    session.headers["Authorization"] = "Bearer test-api-token"
    failures = []
    for operation in operations():
        before = tracks_snapshot()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = _fuzz(operation, mode=mode, base_url=live_server.url, session=session)
            if failure:
                failures.append(f"{operation.label} ({mode.value}): {failure}")
        if operation.label not in WRITE_ROUTES and tracks_snapshot() != before:
            failures.append(f"{operation.label}: a read route changed the tracks table")
    assert not failures, "\n\n".join(failures)


def _fuzz(operation, *, mode: GenerationMode, base_url: str, session: requests.Session) -> str | None:
    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the failure as found is enough, and fast
        suppress_health_check=list(HealthCheck),
    )
    @seed(SEED)
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate(base_url=base_url, session=session, checks=CHECKS, timeout=30)

    try:
        check()
    except Unsatisfiable:  # no invalid input exists for this route (it takes no parameters)
        return None
    except (Exception, BaseExceptionGroup) as exc:  # each route's first failure is reported; the others still run
        return f"{type(exc).__name__}: {exc}"[:3000]
    return None
