"""A short end-to-end run of the product: `python -m tests.smoke`.

What a new user does first, on whichever Python runs it: `manage.py up` to
health, an analysis of two small synthetic albums (tests/analysis/music_library.py),
one similar_tracks call, and a clean stop with no process left behind. CI runs
it on the oldest supported Python while the full suite runs on the newest.
Exits non-zero with a message naming the step that failed.
"""

from __future__ import annotations

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
import requests

from audiomuse import embedded
from tests.analysis.music_library import write_album

REPO_DIR = Path(__file__).resolve().parent.parent
API_TOKEN = "smoke-test-token"
_EXTERNAL = ("DATABASE_URL", "POSTGRES_HOST", "REDIS_URL", "SECRET_KEY", "API_TOKEN", "AUDIOMUSE_ADMIN_PASSWORD")
ALBUMS = (("Smoke Artist One", "Smoke Album One"), ("Smoke Artist Two", "Smoke Album Two"))
TRACKS_PER_ALBUM = 2


class SmokeFailure(RuntimeError):
    pass


def main() -> int:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="amsmoke-"))
    paths = embedded.EmbeddedPaths(work / "var")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "up"], cwd=REPO_DIR, env=_environment(work, port), start_new_session=True
    )
    try:
        _step("health", lambda: _wait_for_health(port, process))
        track_ids = _step("analysis", lambda: _analyse(port))
        _step("similar_tracks", lambda: _similar(port, track_ids))
        _step("clean stop", lambda: _stop(process, paths))
    except SmokeFailure as failure:
        print(f"SMOKE FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        _kill_leftovers(process, paths)
        shutil.rmtree(work, ignore_errors=True)
    print(f"smoke: all steps passed on Python {sys.version.split()[0]} in {time.monotonic() - started:.0f} s")
    return 0


def _environment(work: Path, port: int) -> dict[str, str]:
    for seed, (artist, album) in enumerate(ALBUMS, start=1):
        write_album(work / "music", artist=artist, album=album, tracks=TRACKS_PER_ALBUM, seed=seed)
    environment = {key: value for key, value in os.environ.items() if key not in _EXTERNAL}
    environment.update(
        AUDIOMUSE_DATA_DIR=str(work / "var"),
        AUDIOMUSE_BIND=f"127.0.0.1:{port}",
        API_TOKEN=API_TOKEN,
        MEDIASERVER_TYPE="local",
        MUSIC_DIR=str(work / "music"),
        PLAYLIST_DIR=str(work / "playlists"),
    )
    # Reuse models already built by `make test` or `make up` in this checkout.
    built = REPO_DIR / "var" / "models"
    if "MODEL_DIR" not in environment and built.is_dir():
        environment["MODEL_DIR"] = str(built)
    return environment


def _step(name: str, action):
    began = time.monotonic()
    result = action()
    print(f"smoke: {name} ok ({time.monotonic() - began:.1f} s)", flush=True)
    return result


def _api(port: int, method: str, path: str, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    return requests.request(method, f"http://127.0.0.1:{port}{path}", headers=headers, timeout=30, **kwargs)


def _wait_for_health(port: int, process: subprocess.Popen, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SmokeFailure(f"`manage.py up` exited with code {process.returncode} before it was healthy")
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/health", timeout=2).json() == {"status": "ok"}:
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.5)
    raise SmokeFailure(f"/api/health did not answer ok within {timeout:.0f} s")


def _analyse(port: int, timeout: float = 300.0) -> list[str]:
    started = _api(port, "POST", "/api/analysis/start", json={})
    if started.status_code != 202:
        raise SmokeFailure(f"analysis/start answered {started.status_code}: {started.text[:200]}")
    task_id = started.json()["task_id"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = _api(port, "GET", f"/api/status/{task_id}").json().get("state")
        if state == "SUCCESS":
            break
        if state in ("FAILURE", "REVOKED"):
            raise SmokeFailure(f"the analysis ended {state}")
        time.sleep(1)
    else:
        raise SmokeFailure(f"the analysis did not end within {timeout:.0f} s")
    found = _api(port, "GET", "/api/search_tracks", params={"search_query": "Smoke"}).json()
    expected = len(ALBUMS) * TRACKS_PER_ALBUM
    if len(found) != expected:
        raise SmokeFailure(f"expected {expected} analysed tracks, search found {len(found)}")
    return [row["item_id"] for row in found]


def _similar(port: int, track_ids: list[str]) -> None:
    response = _api(port, "GET", "/api/similar_tracks", params={"item_id": track_ids[0], "n": 3})
    if response.status_code != 200:
        raise SmokeFailure(f"similar_tracks answered {response.status_code}: {response.text[:200]}")
    neighbours = {row["item_id"] for row in response.json()}
    if not neighbours or not neighbours <= set(track_ids[1:]):
        raise SmokeFailure(f"similar_tracks returned {neighbours}, expected the other analysed tracks")


def _stop(process: subprocess.Popen, paths: embedded.EmbeddedPaths, timeout: float = 60.0) -> None:
    descendants = _descendants(process)
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(timeout)
    except subprocess.TimeoutExpired:
        raise SmokeFailure(f"`manage.py up` did not stop within {timeout:.0f} s of Ctrl-C") from None
    if code != 0:
        raise SmokeFailure(f"`manage.py up` exited with code {code} after Ctrl-C")
    _, alive = psutil.wait_procs(descendants, timeout=10)
    alive = [proc for proc in alive if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE]
    if alive:
        raise SmokeFailure(f"processes left after the stop: {[proc.name() for proc in alive]}")
    # PostgreSQL runs in a session of its own, not as the launcher's child.
    if embedded.postgres_running(paths):
        raise SmokeFailure("the embedded PostgreSQL is still running after the stop")


def _descendants(process: subprocess.Popen) -> list[psutil.Process]:
    try:
        return psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _kill_leftovers(process: subprocess.Popen, paths: embedded.EmbeddedPaths) -> None:
    if process.poll() is None:
        for child in _descendants(process):
            child.kill()
        process.kill()
        process.wait()
    embedded.stop_postgres(paths)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
