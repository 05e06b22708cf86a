"""A real Celery worker runs a real chord through the real Redis broker."""

import time
import uuid

from celery import chord

from audiomuse.celery import app
from scheduling.models import TaskState, TaskStatus
from scheduling.task_base import TrackedTask


@app.task(base=TrackedTask, task_type="test_square", name="tests.square")
def square(number):
    return number * number


@app.task(base=TrackedTask, task_type="test_total", name="tests.total")
def total(results):
    return sum(results)


@app.task(base=TrackedTask, task_type="test_broken", name="tests.broken")
def broken():
    raise ValueError("the file is corrupt")


def wait_ready(result, timeout=30.0):
    """Poll the result backend (a worker process never blocks on results either)."""
    deadline = time.monotonic() + timeout
    while not result.ready():
        assert time.monotonic() < deadline, "the task did not finish"
        time.sleep(0.1)
    return result


def test_chord_runs_children_and_callback_on_a_real_worker(celery_worker):
    callback_id = str(uuid.uuid4())
    header = [square.s(n).set(queue="default") for n in range(1, 6)]
    result = chord(header)(total.s().set(queue="high", task_id=callback_id))

    assert wait_ready(result).result == 1 + 4 + 9 + 16 + 25
    callback_row = TaskStatus.objects.get(task_id=callback_id)
    assert callback_row.status == TaskState.SUCCESS
    assert callback_row.task_type == "test_total"
    assert callback_row.started_at is not None and callback_row.finished_at is not None
    assert TaskStatus.objects.filter(task_type="test_square", status=TaskState.SUCCESS).count() == 5


def test_failing_task_records_failure_with_reason(celery_worker):
    result = wait_ready(broken.apply_async(queue="default"))
    assert result.state == "FAILURE"
    assert isinstance(result.result, ValueError)
    row = TaskStatus.objects.get(task_id=result.id)
    assert row.status == TaskState.FAILURE
    assert "the file is corrupt" in row.details["status_message"]
