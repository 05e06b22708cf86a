"""Polling a task through the status API until it ends, as a client would."""

import time

TERMINAL = ("SUCCESS", "FAILURE", "REVOKED")


def wait_until_done(client, task_id, *, timeout=180.0, watch_active=None):
    """The final status body; ``watch_active`` collects /api/active_tasks answers seen meanwhile."""
    deadline = time.monotonic() + timeout
    body = None
    while time.monotonic() < deadline:
        body = client.get(f"/api/status/{task_id}").json()
        if watch_active is not None:
            watch_active.append(client.get("/api/active_tasks").json())
        if body["state"] in TERMINAL:
            return body
        time.sleep(0.3)
    raise AssertionError(f"task {task_id} did not finish: {body}")
