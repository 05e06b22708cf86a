import pytest
from django.test import override_settings

from scheduling import selectors, services
from scheduling.models import TaskState

pytestmark = pytest.mark.django_db


def test_progress_log_keeps_only_the_last_lines():
    services.task_status_create(task_id="t1", task_type="main_analysis")
    with override_settings(TASK_LOG_MAX_LINES=10):
        for step in range(25):
            services.task_status_update(task_id="t1", status_message=f"step {step}", progress=step * 4)
    task = selectors.task_status_get(task_id="t1")
    assert len(task.details["log"]) == 10
    assert task.details["log"][-1].endswith("step 24")
    assert task.details["status_message"] == "step 24"
    assert task.status == TaskState.PROGRESS
    assert task.progress == 96


def test_terminal_state_is_not_overwritten():
    services.task_status_create(task_id="t2", task_type="main_analysis")
    services.task_status_finish(task_id="t2", state=TaskState.REVOKED, status_message="Cancelled")
    services.task_status_update(task_id="t2", status_message="late progress", progress=50)
    services.task_status_finish(task_id="t2", state=TaskState.SUCCESS)
    task = selectors.task_status_get(task_id="t2")
    assert task.status == TaskState.REVOKED
    assert task.details["status_message"] == "Cancelled"


def test_progress_is_clamped_and_counters_merge():
    services.task_status_create(task_id="t3", task_type="main_analysis")
    services.task_status_update(task_id="t3", progress=150, counters={"albums_completed": 3})
    services.task_status_update(task_id="t3", progress=-5, counters={"tracks_failed": 1})
    task = selectors.task_status_get(task_id="t3")
    assert task.progress == 0
    assert task.details["albums_completed"] == 3 and task.details["tracks_failed"] == 1


def test_running_time_counts_from_start_to_finish():
    services.task_status_create(task_id="t4", task_type="cleaning")
    task = selectors.task_status_get(task_id="t4")
    assert selectors.task_running_time_seconds(task) == 0.0
    services.task_status_start(task_id="t4", task_type="cleaning")
    services.task_status_finish(task_id="t4")
    task = selectors.task_status_get(task_id="t4")
    assert task.status == TaskState.SUCCESS and task.progress == 100
    assert selectors.task_running_time_seconds(task) >= 0.0
