"""Admin: clustering batches are listed read-only with their task's status."""

import pytest
from django.utils import timezone

from clustering.models import ClusteringBatch
from tests.factories import TaskStatusFactory

pytestmark = pytest.mark.django_db

BATCHES_URL = "/admin/clustering/clusteringbatch/"


@pytest.fixture
def job_batches():
    run = TaskStatusFactory(task_type="main_clustering", status="PROGRESS")
    child = TaskStatusFactory(task_type="clustering_batch", parent=run, status="SUCCESS", started_at=timezone.now())
    done = ClusteringBatch.objects.create(
        run=run, index=0, first_run_index=0, iterations=20, child=child, score=4.5678, finished_at=timezone.now()
    )
    waiting = ClusteringBatch.objects.create(run=run, index=1, first_run_index=20, iterations=20)
    return done, waiting


def test_batches_are_listed_with_status_runs_and_score(client, staff_user, job_batches):
    client.force_login(staff_user)

    page = client.get(BATCHES_URL).content.decode()
    succeeded = client.get(BATCHES_URL, {"child__status__exact": "SUCCESS"}).content.decode()

    for text in ('<td class="field-status">SUCCESS</td>', "0..19", "4.568", "20..39", "not launched"):
        assert text in page
    assert "0..19" in succeeded and "20..39" not in succeeded


def test_batches_are_read_only(client, staff_user, job_batches):
    done, _ = job_batches
    client.force_login(staff_user)

    detail = client.get(f"{BATCHES_URL}{done.pk}/change/")
    client.post(f"{BATCHES_URL}{done.pk}/change/", {"score": "99", "iterations": "1"})

    assert detail.status_code == 200
    assert 'name="score"' not in detail.content.decode()
    assert client.get(f"{BATCHES_URL}add/").status_code == 403
    done.refresh_from_db()
    assert (done.score, done.iterations) == (4.5678, 20)


def test_batches_are_hidden_from_non_staff(client, plain_user, job_batches):
    client.force_login(plain_user)
    assert client.get(BATCHES_URL).status_code == 302  # to the admin login


def test_an_ended_clustering_task_can_be_deleted_with_its_batches(client, staff_user, job_batches):
    done, _ = job_batches
    run = done.run
    client.force_login(staff_user)
    running = client.post(f"/admin/scheduling/taskstatus/{run.pk}/delete/", {"post": "yes"})
    assert running.status_code == 403  # a running job keeps its batches
    assert ClusteringBatch.objects.filter(run=run).count() == 2

    run.status = "SUCCESS"
    run.save(update_fields=["status"])
    ended = client.post(f"/admin/scheduling/taskstatus/{run.pk}/delete/", {"post": "yes"})

    assert ended.status_code == 302
    assert not ClusteringBatch.objects.filter(run=run).exists()
