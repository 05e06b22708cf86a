"""The web server as `manage.py run web` starts it (gunicorn with audiomuse.gunicorn_conf), over real sockets."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from audiomuse.gunicorn_conf import redact_secrets
from tests.audiomuse.test_launcher import free_port

REPO_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def web_server(tmp_path_factory):
    """One gunicorn process (so only its threads can serve a second request), its access log in a file."""
    port, log = free_port(), tmp_path_factory.mktemp("web") / "access.log"
    command = [sys.executable, "-m", "gunicorn", "audiomuse.wsgi:application",
               "--config", "python:audiomuse.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
               "--workers", "1", "--access-logfile", str(log)]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited at start")
        try:
            urllib.request.urlopen(f"{url}/api/health", timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


@pytest.mark.slow
def test_a_stalled_request_does_not_block_health_checks(web_server):
    url, _ = web_server
    host, port = url.removeprefix("http://").split(":")
    stalled = []
    for _ in range(3):  # each holds a thread: the body it announces never comes
        connection = socket.create_connection((host, int(port)))
        connection.sendall(
            b"POST /api/alchemy HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-api-token\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
        )
        stalled.append(connection)
    try:
        time.sleep(0.5)
        started = time.monotonic()
        status, _, body = get(f"{url}/api/health")
        assert status == 200 and json.loads(body) == {"status": "ok"}
        assert time.monotonic() - started < 3
    finally:
        for connection in stalled:
            connection.close()


@pytest.mark.slow
def test_a_long_url_reaches_the_app_and_gets_json(web_server):
    url, _ = web_server
    status, content_type, body = get(f"{url}/api/health?ids={'0123456789abcdef' * 400}")  # 6,400 characters
    assert status == 200 and content_type.startswith("application/json")
    assert json.loads(body) == {"status": "ok"}


@pytest.mark.slow
def test_secrets_in_the_query_never_reach_the_access_log(web_server):
    url, log = web_server
    get(f"{url}/api/health?api_key=SECRET1&jellyfin_token=SECRET2&navidrome_password=SECRET3&n=5")
    time.sleep(0.5)
    written = log.read_text()
    assert "/api/health?api_key=***&jellyfin_token=***&navidrome_password=***&n=5" in written
    assert "SECRET" not in written


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("GET /api/x?token=abc&n=5 HTTP/1.1", "GET /api/x?token=***&n=5 HTTP/1.1"),
        ("Password=p%20w;item_id=3", "Password=***;item_id=3"),
        ("user_creds_secret=1&API_KEY=2", "user_creds_secret=***&API_KEY=***"),
        ("item_id=abc&title=Token%20Ring", "item_id=abc&title=Token%20Ring"),
        ("", ""),
    ],
)
def test_redact_secrets(text, redacted):
    assert redact_secrets(text) == redacted
