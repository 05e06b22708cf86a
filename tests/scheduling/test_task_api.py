"""Task status and control routes, for the three personas."""

import pytest

from scheduling import services
from scheduling.errors import TaskConflict
from scheduling.models import TaskState, TaskStatus

pytestmark = pytest.mark.django_db


def running_analysis(task_id="main-1"):
    services.task_status_claim_exclusive(task_id=task_id, task_type="main_analysis")
    services.task_status_start(task_id=task_id, task_type="main_analysis")
    for album in ("a1", "a2"):
        services.task_status_create(
            task_id=f"{task_id}-{album}", task_type="album_analysis", parent_task_id=task_id, sub_type_identifier=album
        )
    services.task_status_update(task_id=task_id, status_message="Launched 2 albums", progress=10)
    return task_id


def test_status_of_a_running_task(token_client):
    running_analysis()
    body = token_client.get("/api/status/main-1").json()
    assert body["state"] == "PROGRESS"
    assert body["progress"] == 10
    assert body["status_message"] == "Launched 2 albums"
    assert body["task_type_from_db"] == "main_analysis"
    assert body["details"]["log"][-1].endswith("Launched 2 albums")
    assert body["running_time_seconds"] >= 0


def test_status_of_an_unknown_task_is_404_unknown(token_client):
    response = token_client.get("/api/status/nope")
    assert response.status_code == 404
    assert response.json()["state"] == "UNKNOWN"


def test_active_and_last_task(token_client):
    assert token_client.get("/api/active_tasks").json() == {}
    assert token_client.get("/api/last_task").json()["status"] == "NO_PREVIOUS_MAIN_TASK"
    running_analysis()
    active = token_client.get("/api/active_tasks").json()
    assert active["task_id"] == "main-1" and active["parent_task_id"] is None
    assert token_client.get("/api/last_task").json()["task_id"] == "main-1"


def test_cancel_revokes_the_task_and_its_children(token_client):
    running_analysis()
    services.task_status_finish(task_id="main-1-a2", state=TaskState.SUCCESS)
    body = token_client.post("/api/cancel/main-1").json()
    assert body["cancelled_jobs_count"] == 2  # the parent and the one child still active
    states = dict(TaskStatus.objects.values_list("task_id", "status"))
    assert states == {"main-1": "REVOKED", "main-1-a1": "REVOKED", "main-1-a2": "SUCCESS"}
    assert token_client.post("/api/cancel/main-1").status_code == 400


def test_cancel_all_by_type(token_client):
    assert token_client.post("/api/cancel_all/main_analysis").status_code == 404
    running_analysis()
    body = token_client.post("/api/cancel_all/main_analysis").json()
    assert body["cancelled_main_tasks"] == ["main-1"]


def test_cancel_needs_staff(user_client, staff_client):
    running_analysis()
    response = user_client.post("/api/cancel/main-1")
    assert response.status_code == 403
    assert response.json() == {"error": "Forbidden"}
    assert staff_client.post("/api/cancel/main-1").status_code == 200


def test_status_needs_authentication(anonymous_client):
    response = anonymous_client.get("/api/active_tasks")
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized"}


def test_only_one_exclusive_main_task_at_a_time():
    running_analysis()
    with pytest.raises(TaskConflict, match="main_analysis task is already running"):
        services.task_status_claim_exclusive(task_id="main-2", task_type="main_clustering")
    services.task_cancel(task_id="main-1")
    services.task_status_claim_exclusive(task_id="main-2", task_type="main_clustering")


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_starts_give_one_task_and_one_conflict():
    import threading

    from django.db import connection

    barrier = threading.Barrier(2)
    outcomes = []

    def start(task_id):
        barrier.wait()
        try:
            services.task_status_claim_exclusive(task_id=task_id, task_type="main_analysis")
            outcomes.append("started")
        except TaskConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(f"race-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "started"]
    assert TaskStatus.objects.filter(task_type="main_analysis").count() == 1
