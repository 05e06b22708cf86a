"""A new background job needs a plan function, a work-item function and a registration, nothing else.

The toy job below counts to a number, one work item per number, on the real Celery
worker; status rows, progress, cancel, the reconciler and the one-main-task rule
(409) come from scheduling without a line of its own.
"""

import threading
import time

import pytest

from scheduling import registry, runs
from scheduling.errors import TaskConflict
from scheduling.models import TaskStatus, WorkItem
from scheduling.registry import JobType, Outcome, Plan, WorkItemSpec
from tests.task_polling import wait_until_done

TOY_TASK_TYPE = "toy_count"
ACTIVE = ("PENDING", "STARTED", "PROGRESS")


# --- The whole toy job: a plan function, a work-item function, a registration ---------------


def toy_plan(run_id: str, details: dict) -> Plan:
    return Plan(items=[WorkItemSpec(key=f"number {n}", params={"n": n}) for n in range(details["count_to"])])


def toy_work(context) -> Outcome | None:
    for _ in range(context.details.get("pauses", 0)):
        if context.cancelled():
            return None
        time.sleep(0.1)
    held.wait_if_first_attempt(context.child_id)
    return Outcome(status_message=f"Counted {context.params['n']}", counters={"n": context.params["n"]})


def toy_job_register() -> JobType:
    return registry.register_job(
        JobType(name=TOY_TASK_TYPE, item_type="toy_number", plan=toy_plan, work=toy_work, window=2, stale_seconds=1)
    )


# --- Test plumbing ----------------------------------------------------------------------------


class HeldFirstAttempt:
    """Lets a test make the first attempt at a work item hang silently, as on a worker that died."""

    def __init__(self) -> None:
        self.enabled, self.first_child, self.released = False, None, threading.Event()

    def wait_if_first_attempt(self, child_id: str) -> None:
        if self.enabled and self.first_child in (None, child_id):
            self.first_child = child_id
            self.released.wait(timeout=60)


held = HeldFirstAttempt()


@pytest.fixture
def toy_job(monkeypatch):
    # The registry is the apps' own; the toy leaves it as it found it.
    monkeypatch.setattr(registry, "_JOBS", dict(registry._JOBS))
    monkeypatch.setattr(registry, "_MAIN_TASKS", dict(registry._MAIN_TASKS))
    monkeypatch.setattr(held, "enabled", False)
    monkeypatch.setattr(held, "first_child", None)
    monkeypatch.setattr(held, "released", threading.Event())
    return toy_job_register()


def wait_for(predicate, *, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not reached in time"
        time.sleep(0.05)


# --- What the toy gets for free ---------------------------------------------------------------


def test_a_new_job_gets_status_rows_and_progress(celery_worker, staff_client, toy_job):
    run = runs.run_start(task_type=TOY_TASK_TYPE, details={"count_to": 5})
    status = wait_until_done(staff_client, run.task_id, timeout=60)

    assert status["state"] == "SUCCESS", status
    assert status["progress"] == 100
    assert status["details"]["items_total"] == status["details"]["items_completed"] == 5
    assert any("Planned 5 items" in line for line in status["details"]["log"])
    children = TaskStatus.objects.filter(parent_id=run.task_id)
    assert sorted(child.details["n"] for child in children) == [0, 1, 2, 3, 4]
    assert {(child.task_type, child.status) for child in children} == {("toy_number", "SUCCESS")}
    assert staff_client.get("/api/last_task").json()["task_id"] == run.task_id


def test_a_new_job_takes_the_one_main_task_slot(celery_worker, staff_client, toy_job):
    run = runs.run_start(task_type=TOY_TASK_TYPE, details={"count_to": 4, "pauses": 20})
    started = TaskStatus.objects.filter(parent_id=run.task_id, status="STARTED")
    wait_for(started.exists, what="a started item")

    assert staff_client.get("/api/active_tasks").json()["task_id"] == run.task_id
    assert staff_client.post("/api/analysis/start").status_code == 409
    assert staff_client.post("/api/clustering/start").status_code == 409
    with pytest.raises(TaskConflict):
        runs.run_start(task_type=TOY_TASK_TYPE, details={"count_to": 1})
    assert wait_until_done(staff_client, run.task_id, timeout=60)["state"] == "SUCCESS"


def test_a_new_job_can_be_cancelled_between_units_of_work(celery_worker, staff_client, toy_job):
    run = runs.run_start(task_type=TOY_TASK_TYPE, details={"count_to": 6, "pauses": 300})
    started = TaskStatus.objects.filter(parent_id=run.task_id, status="STARTED")
    wait_for(lambda: started.count() == 2, what="two started items")

    cancelled_at = time.monotonic()
    assert staff_client.post(f"/api/cancel/{run.task_id}").status_code == 200
    assert wait_until_done(staff_client, run.task_id, timeout=15)["state"] == "REVOKED"
    wait_for(lambda: not TaskStatus.objects.filter(parent_id=run.task_id, status__in=ACTIVE).exists(), timeout=15)

    assert time.monotonic() - cancelled_at < 10  # an item left alone would pause for 30 s
    assert WorkItem.objects.filter(run_id=run.task_id, child__isnull=True).count() == 4  # never launched
    assert set(TaskStatus.objects.filter(parent_id=run.task_id).values_list("status", flat=True)) == {"REVOKED"}


def test_the_reconciler_restarts_an_item_whose_worker_went_silent(celery_worker, staff_client, toy_job):
    held.enabled = True
    run = runs.run_start(task_type=TOY_TASK_TYPE, details={"count_to": 1})
    wait_for(lambda: held.first_child is not None, what="the first attempt")
    time.sleep(1.5)  # past stale_seconds without a status update

    assert runs.runs_reconcile() == {"advanced_runs": 1, "failed_runs": 0}
    status = wait_until_done(staff_client, run.task_id, timeout=30)
    held.released.set()

    assert status["state"] == "SUCCESS", status
    lost, restarted = TaskStatus.objects.filter(parent_id=run.task_id).order_by("created_at")
    assert (lost.status, lost.details["status_message"]) == ("REVOKED", "Worker lost; restarted")
    assert restarted.status == "SUCCESS"
    assert WorkItem.objects.get(run_id=run.task_id).child_id == restarted.task_id
