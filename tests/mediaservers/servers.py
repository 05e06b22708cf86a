"""Real servers for the contract suite: Debian's mpd and supysonic, as subprocesses."""

from __future__ import annotations

import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from mpd import CommandError, MPDClient
from mpd import ConnectionError as MPDConnectionError

INSTALL_HINT = "run tests/install_test_servers.sh (apt-get install mpd) first"
STARTUP_SECONDS = 20
MPD_PASSWORD = "mpd-secret"
SUPYSONIC_USER, SUPYSONIC_PASSWORD = "alice", "alice-pass"
REPO_DIR = Path(__file__).resolve().parents[2]


@dataclass
class RunningServer:
    process: subprocess.Popen
    address: str  # MPD socket path or HTTP base URL
    data_dir: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def mpd_config(data_dir: Path, music_dir: Path, *, stickers: bool) -> str:
    lines = [
        f'music_directory "{music_dir}"',
        f'playlist_directory "{data_dir / "playlists"}"',
        f'db_file "{data_dir / "database"}"',
        f'log_file "{data_dir / "log"}"',
        f'bind_to_address "{data_dir / "socket"}"',
        'zeroconf_enabled "no"',
        'auto_update "no"',
        f'password "{MPD_PASSWORD}@read,add,control,admin"',
        'default_permissions "read"',
        'audio_output {\n  type "null"\n  name "null"\n}',
    ]
    if stickers:
        lines.append(f'sticker_file "{data_dir / "sticker.sql"}"')
    return "\n".join(lines) + "\n"


def start_mpd(data_dir: Path, music_dir: Path, *, stickers: bool = True) -> RunningServer:
    """Start ``mpd --no-daemon`` on a unix socket and wait until its database holds every file."""
    binary = shutil.which("mpd") or next((p for p in ("/usr/bin/mpd", "/usr/sbin/mpd") if Path(p).exists()), None)
    if binary is None:
        pytest.fail(f"mpd is not installed: {INSTALL_HINT}", pytrace=False)
    (data_dir / "playlists").mkdir(parents=True, exist_ok=True)
    config = data_dir / "mpd.conf"
    config.write_text(mpd_config(data_dir, music_dir, stickers=stickers))
    process = subprocess.Popen([binary, "--no-daemon", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = RunningServer(process, str(data_dir / "socket"), data_dir)
    try:
        _wait_for_mpd_database(server, expected_songs=sum(1 for p in music_dir.rglob("*") if p.is_file()))
    except BaseException:
        server.stop()
        raise
    return server


def _wait_for_mpd_database(server: RunningServer, *, expected_songs: int) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    requested = False
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"mpd exited: {server.process.stderr.read().decode(errors='replace')}", pytrace=False)
        try:
            client = MPDClient()
            client.timeout = 5
            client.connect(server.address)
            client.password(MPD_PASSWORD)
            if not requested:
                client.update()
                requested = True
            status, stats = client.status(), client.stats()
            client.disconnect()
            if "updating_db" not in status and int(stats["songs"]) >= expected_songs:
                return
        except (OSError, MPDConnectionError, CommandError):
            pass  # still starting
        time.sleep(0.1)
    pytest.fail("mpd did not finish scanning the test library in time", pytrace=False)


def start_supysonic(data_dir: Path, music_dir: Path) -> RunningServer:
    """Run supysonic in a subprocess; it prints its port once the library is scanned."""
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "tests.mediaservers.run_supysonic", str(data_dir), str(music_dir)]
    process = subprocess.Popen(
        [*command, SUPYSONIC_USER, SUPYSONIC_PASSWORD],
        cwd=REPO_DIR,
        stdout=subprocess.PIPE,
        stderr=(data_dir / "stderr.log").open("wb"),
        text=True,
    )
    ready, _, _ = select.select([process.stdout], [], [], STARTUP_SECONDS)
    port = process.stdout.readline().strip() if ready else ""
    if not port.isdigit():
        process.kill()
        log = (data_dir / "stderr.log").read_text(errors="replace")[-2000:]
        pytest.fail(f"supysonic did not start (is supysonic==0.7.9 installed?):\n{log}", pytrace=False)
    return RunningServer(process, f"http://127.0.0.1:{port}", data_dir)
