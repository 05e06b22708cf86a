"""Admin: the work items of every job are listed read-only with their task's status."""

import pytest
from django.utils import timezone

from scheduling.models import WorkItem
from tests.factories import TaskStatusFactory

pytestmark = pytest.mark.django_db

ITEMS_URL = "/admin/scheduling/workitem/"


@pytest.fixture
def job_batches():
    run = TaskStatusFactory(task_type="main_clustering", status="PROGRESS")
    child = TaskStatusFactory(task_type="clustering_batch", parent=run, status="SUCCESS", started_at=timezone.now())
    done = WorkItem.objects.create(
        run=run, position=0, key="batch 0", label="runs 0..19", params={"iterations": 20}, child=child,
        score=4.5678, finished_at=timezone.now(),
    )  # fmt: skip
    waiting = WorkItem.objects.create(run=run, position=1, key="batch 1", label="runs 20..39")
    return done, waiting


def test_items_are_listed_with_status_label_and_score(client, staff_user, job_batches):
    client.force_login(staff_user)

    page = client.get(ITEMS_URL).content.decode()
    succeeded = client.get(ITEMS_URL, {"child__status__exact": "SUCCESS"}).content.decode()

    for text in ('<td class="field-status">SUCCESS</td>', "runs 0..19", "4.568", "runs 20..39", "not launched"):
        assert text in page
    assert "runs 0..19" in succeeded and "runs 20..39" not in succeeded


def test_album_work_is_listed_with_its_job_status(client, staff_user):
    run = TaskStatusFactory(task_type="main_analysis", status="PROGRESS")
    child = TaskStatusFactory(task_type="album_analysis", parent=run, status="SUCCESS")
    WorkItem.objects.create(run=run, key="album-1", label="First Light", position=0, child=child)
    WorkItem.objects.create(run=run, key="album-2", label="Second Wind", position=1)
    client.force_login(staff_user)

    page = client.get(ITEMS_URL).content.decode()

    assert "First Light" in page and "Second Wind" in page
    assert "not launched" in page
    assert client.get(ITEMS_URL, {"q": "Second"}).status_code == 200


def test_items_are_read_only(client, staff_user, job_batches):
    done, _ = job_batches
    client.force_login(staff_user)

    detail = client.get(f"{ITEMS_URL}{done.pk}/change/")
    client.post(f"{ITEMS_URL}{done.pk}/change/", {"score": "99", "position": "1"})

    assert detail.status_code == 200
    assert 'name="score"' not in detail.content.decode()
    assert client.get(f"{ITEMS_URL}add/").status_code == 403
    done.refresh_from_db()
    assert (done.score, done.position) == (4.5678, 0)


def test_items_are_hidden_from_non_staff(client, plain_user, job_batches):
    client.force_login(plain_user)
    assert client.get(ITEMS_URL).status_code == 302  # to the admin login


def test_an_ended_task_can_be_deleted_with_its_items(client, staff_user, job_batches):
    done, _ = job_batches
    run = done.run
    client.force_login(staff_user)
    running = client.post(f"/admin/scheduling/taskstatus/{run.pk}/delete/", {"post": "yes"})
    assert running.status_code == 403  # a running job keeps its items
    assert WorkItem.objects.filter(run=run).count() == 2

    run.status = "SUCCESS"
    run.save(update_fields=["status"])
    ended = client.post(f"/admin/scheduling/taskstatus/{run.pk}/delete/", {"post": "yes"})

    assert ended.status_code == 302
    assert not WorkItem.objects.filter(run=run).exists()
