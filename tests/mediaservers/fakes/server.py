"""A tiny routing HTTP server on loopback for the fake media servers.

Real HTTP over a real socket (ThreadingHTTPServer on 127.0.0.1, port 0, in a
thread), so adapters exercise their sessions, timeouts and retries. Every
request is recorded, and tests can make the next answers fail (``fail_next``)
or hang (``hang_seconds``).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    match: re.Match | None = None

    def param(self, name: str, default: str | None = None, *, ignore_case: bool = False) -> str | None:
        values = self.params(name, ignore_case=ignore_case)
        return values[0] if values else default

    def params(self, name: str, *, ignore_case: bool = False) -> list[str]:
        if not ignore_case:
            return self.query.get(name, [])
        return [value for key, values in self.query.items() if key.lower() == name.lower() for value in values]

    def header(self, name: str) -> str:
        return next((value for key, value in self.headers.items() if key.lower() == name.lower()), "")

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(payload).encode(), {"Content-Type": "application/json; charset=utf-8"})


def file_response(path: Path, content_type: str = "application/octet-stream") -> Response:
    headers = {"Content-Type": content_type, "Content-Disposition": f'attachment; filename="{path.name}"'}
    return Response(200, path.read_bytes(), headers)


Handler = Callable[[Request], Response]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out and hang up are part of the tests


class FakeHttpServer:
    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern, Handler]] = []
        self.requests: list[Request] = []
        self.fail_next: list[int] = []
        self.hang_seconds = 0.0
        self.errors: list[Exception] = []  # bugs in the fake itself, e.g. a body its schema rejects
        self.url = ""
        self._server: ThreadingHTTPServer | None = None

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(f"^{pattern}$"), handler))

    def dispatch(self, request: Request) -> Response:
        self.requests.append(request)
        if self.hang_seconds:
            time.sleep(self.hang_seconds)
        if self.fail_next:
            return Response(self.fail_next.pop(0), b"fake failure")
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                request.match = match
                try:
                    return handler(request)
                except Exception as exc:
                    self.errors.append(exc)
                    return Response(500, f"fake server error: {exc}".encode())
        return Response(404, b"no such route")

    def start(self) -> FakeHttpServer:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers=dict(self.headers.items()),
                    body=self.rfile.read(length) if length else b"",
                )
                response = fake.dispatch(request)
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        self._server = _QuietServer(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeHttpServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def serving(self) -> Iterator[Self]:
        """For fixtures, ``yield from fake.serving()``: runs the fake while tests use it; a bug in it fails them."""
        with self:
            yield self
        assert not self.errors, self.errors
