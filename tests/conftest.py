"""Shared fixtures: API clients for the three personas, and a real Celery worker."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def staff_user(db):
    return UserFactory(username="owner", is_staff=True, is_superuser=True)


@pytest.fixture
def plain_user(db):
    return UserFactory(username="listener")


@pytest.fixture
def staff_client(staff_user):
    client = APIClient()
    client.force_login(staff_user)
    return client


@pytest.fixture
def user_client(plain_user):
    client = APIClient()
    client.force_login(plain_user)
    return client


@pytest.fixture
def token_client():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {settings.API_TOKEN}")
    return client


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (threads pool) consuming both queues from the test Redis."""
    from celery import _state
    from celery.contrib.testing.worker import start_worker

    from audiomuse.celery import app

    # As in a real worker process: tasks that send tasks do not subscribe to their results.
    _state._set_task_join_will_block(True)
    try:
        with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        _state._set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs `collectstatic`; tests serve files straight from the apps.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def local_music_dir(tmp_path, settings):
    """An empty local-folder library the app reads (MEDIASERVER_TYPE=local), with temp and playlist folders."""
    music = tmp_path / "music"
    music.mkdir()
    settings.MEDIASERVER_TYPE = "local"
    settings.MUSIC_DIR = music
    settings.MUSIC_LIBRARIES = ""
    settings.PLAYLIST_DIR = tmp_path / "playlists"
    settings.TEMP_DIR = tmp_path / "work"
    return music
