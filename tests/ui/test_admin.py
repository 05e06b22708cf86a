"""Admin: revoking tasks, and the failure and album-work lists."""

import pytest

from analysis.models import AnalysisFailure
from scheduling.models import TaskStatus
from tests.factories import TaskStatusFactory

pytestmark = pytest.mark.django_db

TASKS_URL = "/admin/scheduling/taskstatus/"


def revoke(client, *tasks):
    return client.post(
        TASKS_URL, {"action": "revoke_tasks", "_selected_action": [task.pk for task in tasks]}, follow=True
    )


def test_revoke_action_cancels_active_tasks_and_their_children(client, staff_user):
    run = TaskStatusFactory(task_type="main_analysis", status="PROGRESS")
    running_child = TaskStatusFactory(task_type="album_analysis", parent=run, status="STARTED")
    finished_child = TaskStatusFactory(task_type="album_analysis", parent=run, status="SUCCESS")
    client.force_login(staff_user)

    response = revoke(client, run, running_child)

    assert response.status_code == 200
    assert "Revoked 2 task(s)" in response.content.decode()
    statuses = dict(TaskStatus.objects.values_list("task_id", "status"))
    assert statuses[run.task_id] == "REVOKED"
    assert statuses[running_child.task_id] == "REVOKED"
    assert statuses[finished_child.task_id] == "SUCCESS"


def test_revoke_action_leaves_finished_tasks_alone(client, staff_user):
    done = TaskStatusFactory(status="SUCCESS")
    client.force_login(staff_user)

    response = revoke(client, done)

    assert "nothing revoked" in response.content.decode()
    done.refresh_from_db()
    assert done.status == "SUCCESS"


def test_revoke_action_is_for_staff_with_change_permission_only(client, plain_user):
    run = TaskStatusFactory(status="PROGRESS")
    client.force_login(plain_user)
    revoke(client, run)
    run.refresh_from_db()
    assert run.status == "PROGRESS"


def test_failures_are_listed_searchable_and_filterable(client, staff_user):
    AnalysisFailure.objects.create(
        item_id="abc123", title="Broken Song", author="Alpha", album="First", error_type="AudioDecodeError",
        reason="could not decode: not an audio file",
    )  # fmt: skip
    AnalysisFailure.objects.create(item_id="def456", title="Quiet", error_type="SilentAudioError", reason="silent")
    client.force_login(staff_user)
    url = "/admin/analysis/analysisfailure/"

    listed = client.get(url).content.decode()
    searched = client.get(url, {"q": "Broken"}).content.decode()
    filtered = client.get(url, {"error_type": "SilentAudioError"}).content.decode()

    for text in ("abc123", "Alpha", "Broken Song", "First", "AudioDecodeError", "could not decode"):
        assert text in listed
    assert "Broken Song" in searched and "Quiet" not in searched
    assert "Quiet" in filtered and "Broken Song" not in filtered
