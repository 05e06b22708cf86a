"""A throw-away PostgreSQL + Redis (the embedded ones) and Django, for benchmarks."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
# The shared test data: the real-music corpus list and builder.
SHARED_DIR = Path(os.environ.get("AUDIOMUSE_SHARED_DIR") or REPO_DIR.parent / "shared")
sys.path.insert(0, str(REPO_DIR))


@contextlib.contextmanager
def django_with_services(**environment: str) -> Iterator[Path]:
    """Start private services in a temp dir, configure Django on them, migrate; yields the data dir."""
    from audiomuse import embedded

    data_dir = Path(tempfile.mkdtemp(prefix="ambench-"))
    paths = embedded.EmbeddedPaths(data_dir)
    os.environ.update(
        AUDIOMUSE_DATA_DIR=str(data_dir),
        MODEL_DIR=os.environ.get("MODEL_DIR", str(REPO_DIR / "var" / "models")),
        LOG_LEVEL="warning",
        **environment,
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "audiomuse.settings")
    embedded.start_postgres(paths)
    redis_process = embedded.start_redis(paths)
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        call_command("build_models", if_missing=True, verbosity=0)
        yield data_dir
    finally:
        from django.db import connections

        connections.close_all()
        embedded.stop_process(redis_process, timeout=10)
        embedded.stop_postgres(paths)
        shutil.rmtree(data_dir, ignore_errors=True)
