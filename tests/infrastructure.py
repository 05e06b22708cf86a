"""Pytest plugin: the real PostgreSQL (+pgvector) and Redis for the test session.

Loaded with ``-p tests.infrastructure`` so it runs before pytest-django reads
the settings. Unless DATABASE_URL / REDIS_URL point at servers already, it
starts the same embedded services as ``manage.py up``, in a throw-away data
directory, and stops them when the session ends.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from audiomuse import embedded

REPO_DIR = Path(__file__).resolve().parent.parent
_state: dict = {}


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    if "--help" in args or "--version" in args or "-h" in args:
        return
    # A short path: unix socket paths must stay under ~100 bytes.
    data_dir = Path(tempfile.mkdtemp(prefix="amtest-"))
    _state["data_dir"] = data_dir
    os.environ["AUDIOMUSE_DATA_DIR"] = str(data_dir)
    (data_dir / "static").mkdir()
    os.environ.setdefault("API_TOKEN", "test-api-token")
    os.environ.setdefault("SECRET_KEY", "test-secret-key")
    # Models are expensive to build: share the product's default folder across runs.
    os.environ.setdefault("MODEL_DIR", str(REPO_DIR / "var" / "models"))
    paths = embedded.EmbeddedPaths(data_dir)
    if not (os.environ.get("DATABASE_URL") or os.environ.get("POSTGRES_HOST")):
        embedded.start_postgres(paths)
        _state["postgres"] = paths
    if not os.environ.get("REDIS_URL"):
        _state["redis"] = embedded.start_redis(paths)
    # atexit rather than pytest_unconfigure: it also runs when pytest aborts
    # before configuring (a broken conftest), which would leave servers behind.
    atexit.register(_stop_services)


def pytest_unconfigure(config):
    _quiet_celery_result_consumer()
    _stop_services()


def _quiet_celery_result_consumer() -> None:
    # Chords subscribe to their header results; when those result objects are
    # garbage-collected after the session's Redis is gone, each would retry
    # unsubscribing for a minute. Once the tests are over, skip that.
    import sys

    if "celery.backends.redis" in sys.modules:
        sys.modules["celery.backends.redis"].ResultConsumer.cancel_for = lambda self, task_id: None


def _stop_services() -> None:
    redis_process = _state.pop("redis", None)
    if redis_process is not None:
        embedded.stop_process(redis_process, timeout=10)
    paths = _state.pop("postgres", None)
    if paths is not None:
        embedded.stop_postgres(paths)
    data_dir = _state.pop("data_dir", None)
    if data_dir is not None:
        shutil.rmtree(data_dir, ignore_errors=True)
