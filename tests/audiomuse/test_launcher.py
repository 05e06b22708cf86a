"""`manage.py up`: clear one-line refusals, a clean start, a clean stop, data kept."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
import requests

from audiomuse import embedded, launcher
from tests.infrastructure import REPO_DIR

_EXTERNAL = ("DATABASE_URL", "POSTGRES_HOST", "REDIS_URL", "SECRET_KEY", "API_TOKEN", "AUDIOMUSE_ADMIN_PASSWORD")


def launcher_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in _EXTERNAL}
    environment.update(AUDIOMUSE_DATA_DIR=str(data_dir), AUDIOMUSE_BIND=f"127.0.0.1:{port}", **extra)
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def one_line_refusal(command: list[str], env: dict[str, str]) -> str:
    """Run ``manage.py <command>`` where it must refuse to start; what it says, checked to be one line."""
    result = subprocess.run(
        [sys.executable, "manage.py", *command], cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    return result.stderr


@pytest.fixture
def data_dir():
    # Outside pytest's private 0700 temp root, as a user's ./var would be.
    path = Path(tempfile.mkdtemp(prefix="amup-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_port_in_use_is_a_one_line_error_that_says_what_to_do():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(launcher.LaunchError) as caught:
            launcher.check_bind_address(f"127.0.0.1:{port}")
    message = str(caught.value)
    assert "already in use" in message and "AUDIOMUSE_BIND" in message
    assert "\n" not in message


def test_up_refuses_a_busy_port_without_starting_anything(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        message = one_line_refusal(["up"], launcher_env(tmp_path, port))
    assert "already in use" in message
    assert not (tmp_path / "postgres").exists()


def test_unwritable_data_dir_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    message = one_line_refusal(["up"], launcher_env(blocker / "var", free_port()))
    assert "AUDIOMUSE_DATA_DIR" in message


def wait_for_health(port: int, process: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the launcher exited before becoming healthy"
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/health", timeout=2).json() == {"status": "ok"}:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError("the product did not become healthy in time")


def still_running(pids: set[int], grace: float = 10.0) -> list[int]:
    """Pids that are alive (not zombies) after a short grace period."""
    deadline = time.monotonic() + grace
    while True:
        alive = []
        for pid in pids:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def run_until_healthy_then_stop(data_dir: Path) -> tuple[str, set[int]]:
    """Start `manage.py up`, wait for health, SIGTERM it; returns its output and the pids it ran."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "up"],
        cwd=REPO_DIR,
        env=launcher_env(data_dir, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_health(port, process)
        pids = {child.pid for child in psutil.Process(process.pid).children(recursive=True)}
        pids.add(embedded._postmaster_pid(embedded.EmbeddedPaths(data_dir)))
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    return output, pids


@pytest.mark.slow
def test_up_serves_health_stops_cleanly_and_keeps_data(data_dir):
    first_output, first_pids = run_until_healthy_then_stop(data_dir)
    assert "Created admin user 'admin' with password:" in first_output
    assert "Generated API token" in first_output
    leftovers = still_running(first_pids)
    assert not leftovers, [psutil.Process(p).cmdline() for p in leftovers] + [first_output[-3000:]]
    assert not embedded.postgres_running(embedded.EmbeddedPaths(data_dir))

    second_output, _ = run_until_healthy_then_stop(data_dir)
    assert "Created admin user" not in second_output  # the first start's user is still there
    assert "Generated API token" not in second_output
    assert "Stopped." in second_output


def test_run_refuses_to_start_without_external_services(tmp_path):
    message = one_line_refusal(["run", "web"], launcher_env(tmp_path, free_port()))
    assert "manage.py up" in message


@pytest.mark.slow
def test_run_web_migrates_and_serves_against_external_services(tmp_path):
    """The container entry point, pointed at this test session's PostgreSQL and Redis."""
    from django.conf import settings

    port = free_port()
    environment = launcher_env(
        tmp_path,
        port,
        DATABASE_URL=embedded.database_url(settings.EMBEDDED_PATHS),
        REDIS_URL=settings.REDIS_URL,
        SECRET_KEY="s",
        API_TOKEN="t",
    )
    process = subprocess.Popen([sys.executable, "manage.py", "run", "web"], cwd=REPO_DIR, env=environment)
    try:
        wait_for_health(port, process)
        response = requests.get(f"http://127.0.0.1:{port}/api/schema/", headers={"Authorization": "Bearer t"})
        assert response.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
