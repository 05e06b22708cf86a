"""Domain errors say whether a job may try again; the API alone knows their HTTP statuses."""

import pytest

from analysis.audio.errors import AudioDecodeError, AudioTimeoutError
from audiomuse.api.errors import ERROR_STATUS
from clustering.engine.errors import NotEnoughTracksError
from mediaservers.errors import MediaServerNotFound, MediaServerUnavailable
from scheduling.errors import TaskConflict, TaskNotFound, retryable
from similarity.errors import IndexNotReady, MediaServerUnreachable, TrackNotFound
from tests.infrastructure import REPO_DIR

APPS = ("analysis", "chat", "clustering", "common", "mediaservers", "scheduling", "similarity")


@pytest.mark.parametrize(
    "error",
    [AudioTimeoutError("slow"), MediaServerUnavailable("down"), MediaServerUnreachable("down"),
     IndexNotReady("none yet"), TaskConflict("t1", "main_analysis")],
)  # fmt: skip
def test_errors_that_may_pass_are_retried(error):
    assert retryable(error)


@pytest.mark.parametrize(
    "error",
    [AudioDecodeError("corrupt"), MediaServerNotFound("gone"), TrackNotFound("no such track"),
     TaskNotFound("no such task"), NotEnoughTracksError("3 tracks")],
)  # fmt: skip
def test_errors_that_fail_the_same_way_again_are_recorded_not_retried(error):
    assert not retryable(error)


def test_an_unexpected_error_may_be_retried():
    assert retryable(ConnectionResetError("lost"))


def test_every_mapped_error_is_a_domain_error_that_says_whether_to_retry():
    assert all(isinstance(error_type.retryable, bool) for error_type in ERROR_STATUS)


def test_domain_errors_and_services_know_nothing_of_the_api_framework():
    offenders = [
        str(path.relative_to(REPO_DIR))
        for app in APPS
        for path in (REPO_DIR / app).rglob("*.py")
        if (path.name in ("errors.py", "services.py") or path.parent.name == "errors")
        and "rest_framework" in path.read_text()
    ]
    assert offenders == []
