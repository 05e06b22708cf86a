"""Run the whole product in the foreground: `python manage.py up`.

Starts the embedded PostgreSQL and broker when no external ones are
configured, prepares the database, then supervises the Celery worker, Celery
beat and gunicorn. Ctrl-C or SIGTERM stops everything in order (web first,
database last); if any child dies, the rest are stopped too, so a service
manager sees the failure and can restart the whole.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from audiomuse import embedded
from audiomuse.embedded import EmbeddedServiceError

STOP_TIMEOUT_SECONDS = 20.0


class LaunchError(RuntimeError):
    """Startup cannot go on; the message is one line that says what to do."""


@dataclass
class Child:
    name: str
    process: subprocess.Popen


@dataclass
class Supervisor:
    """Children in start order and the callbacks that stop embedded services."""

    children: list[Child] = field(default_factory=list)
    stoppers: list[Callable[[], None]] = field(default_factory=list)
    stop_requested: bool = False

    def spawn(self, name: str, command: list[str]) -> None:
        # A new session keeps the terminal's Ctrl-C away from the children:
        # only the launcher gets it, and it stops them in order.
        self.children.append(Child(name, subprocess.Popen(command, start_new_session=True)))

    def first_dead_child(self) -> Child | None:
        return next((child for child in self.children if child.process.poll() is not None), None)

    def stop_all(self, say: Callable[[str], None]) -> None:
        for child in reversed(self.children):
            if child.process.poll() is None:
                say(f"Stopping {child.name}...")
            embedded.stop_process(child.process, timeout=STOP_TIMEOUT_SECONDS)
        self.children.clear()
        for stop in reversed(self.stoppers):
            stop()
        self.stoppers.clear()


def check_bind_address(bind: str) -> None:
    """Fail early, in one line, when the web port is taken."""
    if bind.startswith("unix:"):
        return
    host, _, port_text = bind.rpartition(":")
    host = host.strip("[]") or "0.0.0.0"
    try:
        port = int(port_text)
    except ValueError:
        raise LaunchError(f"AUDIOMUSE_BIND must look like HOST:PORT, got {bind!r}") from None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise LaunchError(
                    f"Port {port} on {host} is already in use: stop the program using it, "
                    f"or set AUDIOMUSE_BIND={host}:{port + 1}"
                ) from None
            raise LaunchError(f"Cannot listen on {bind}: {exc.strerror}; check AUDIOMUSE_BIND") from None


def manage(*arguments: str) -> None:
    """Run a management command in a child process; stop on failure."""
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *arguments]
    if subprocess.run(command).returncode != 0:
        raise LaunchError(f"'manage.py {' '.join(arguments)}' failed; see the messages above")


def start_services(supervisor: Supervisor, say: Callable[[str], None]) -> None:
    paths = settings.EMBEDDED_PATHS
    if settings.EMBEDDED_DATABASE:
        say(f"Starting embedded PostgreSQL in {paths.pgdata} ...")
        embedded.start_postgres(paths)
        supervisor.stoppers.append(lambda: (say("Stopping PostgreSQL..."), embedded.stop_postgres(paths)))
    if settings.EMBEDDED_REDIS:
        say(f"Starting the embedded broker (Valkey) on {paths.redis_socket} ...")
        supervisor.children.append(Child("broker", embedded.start_redis(paths)))


def prepare_database(say: Callable[[str], None]) -> None:
    say("Applying database migrations...")
    manage("migrate", "--noinput", "-v", "0")
    manage("ensure_admin")
    manage("collectstatic", "--noinput", "-v", "0")
    manage("build_models", "--if-missing")


def role_command(role: str) -> list[str]:
    """The command line of one long-running process: web, worker or beat."""
    python = sys.executable
    if role == "worker":
        command = [python, "-m", "celery", "-A", "audiomuse", "worker", "-Q", "high,default", "-l", "info"]
        command += ["-n", "audiomuse@%h"]
        if settings.CELERY_WORKER_CONCURRENCY:
            command += ["--concurrency", str(settings.CELERY_WORKER_CONCURRENCY)]
        return command
    if role == "beat":
        schedule = str(Path(settings.DATA_DIR) / "celerybeat-schedule")
        return [python, "-m", "celery", "-A", "audiomuse", "beat", "-l", "info", "--pidfile=", "-s", schedule]
    if role == "web":
        return [
            python, "-m", "gunicorn", "audiomuse.wsgi:application",
            "--config", "python:audiomuse.gunicorn_conf",
            "--bind", settings.AUDIOMUSE_BIND,
            "--workers", str(settings.AUDIOMUSE_WEB_WORKERS),
            "--access-logfile", "-",
        ]  # fmt: skip
    raise LaunchError(f"unknown role {role!r}: use web, worker or beat")


ROLES = ("worker", "beat", "web")


def spawn_processes(supervisor: Supervisor) -> None:
    for role in ROLES:
        supervisor.spawn(role, role_command(role))


def run_role(role: str, say: Callable[[str], None]) -> None:
    """Prepare what ``role`` needs, then become that process (for containers).

    The web role migrates and creates the admin user, so a fresh deployment
    needs no manual step; several web replicas migrating at once is safe
    because Django takes the migrations in one transaction each.
    """
    command = role_command(role)
    if settings.EMBEDDED_DATABASE or settings.EMBEDDED_REDIS:
        raise LaunchError(
            "'manage.py run' needs an external database and Redis (set DATABASE_URL or POSTGRES_HOST, "
            "and REDIS_URL); on one machine use 'manage.py up'"
        )
    embedded.ensure_writable(Path(settings.DATA_DIR))
    if role == "web":
        prepare_database(say)
    elif role == "worker":
        manage("build_models", "--if-missing")
    say(f"Starting {role} ...")
    sys.stdout.flush()  # exec replaces the process without flushing Python's buffers
    os.execv(command[0], command)


def banner() -> list[str]:
    url = f"http://{settings.AUDIOMUSE_BIND}/"
    lines = [f"AudioMuse is starting on {url} (admin user: {settings.AUDIOMUSE_ADMIN_USER})"]
    if settings.API_TOKEN_GENERATED:
        lines.append(f"Generated API token (kept in {settings.API_TOKEN_FILE_PATH}): {settings.API_TOKEN}")
    elif settings.API_TOKEN_FILE_PATH:
        lines.append(f"API token: in {settings.API_TOKEN_FILE_PATH}")
    lines.append("Press Ctrl-C to stop.")
    return lines


def run(say: Callable[[str], None]) -> int:
    """Start everything, wait, stop everything. Returns the process exit code."""
    embedded.ensure_writable(Path(settings.DATA_DIR))
    check_bind_address(settings.AUDIOMUSE_BIND)
    supervisor = Supervisor()

    def request_stop(signum, frame):
        supervisor.stop_requested = True

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        start_services(supervisor, say)
        prepare_database(say)
        if supervisor.stop_requested:
            return 0
        spawn_processes(supervisor)
        for line in banner():
            say(line)
        return _wait(supervisor, say)
    except (EmbeddedServiceError, LaunchError) as exc:
        raise LaunchError(str(exc)) from None
    finally:
        supervisor.stop_all(say)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        say("Stopped.")


def _wait(supervisor: Supervisor, say: Callable[[str], None]) -> int:
    while not supervisor.stop_requested:
        dead = supervisor.first_dead_child()
        if dead is not None:
            say(f"{dead.name} exited with code {dead.process.returncode}; stopping everything.")
            return 1
        time.sleep(0.5)
    return 0
