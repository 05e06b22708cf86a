"""The shared HTTP transport: status mapping, download caps and cleanup, secret masking."""

from __future__ import annotations

import pytest

from mediaservers.adapters.http import HttpClient, mask_secrets
from mediaservers.errors import MediaServerAuthError, MediaServerNotFound, MediaServerUnavailable, TrackTooLarge
from tests.mediaservers.fakes.server import FakeHttpServer, Response


class DroppingServer(FakeHttpServer):
    """Promises a 1 MB body, sends 10 bytes and closes the connection."""

    def start(self):
        super().start()
        self.route("GET", "/truncated", lambda request: Response(200, b"0123456789", {"Content-Length": "1000000"}))
        return self


@pytest.fixture
def server():
    with FakeHttpServer() as fake:
        fake.route("GET", "/audio", lambda request: Response(200, b"x" * 3_000_000, {"Content-Type": "audio/flac"}))
        fake.route("GET", "/secret", lambda request: Response(401, b""))
        fake.route("GET", "/forbidden", lambda request: Response(403, b""))
        yield fake


def client(url: str) -> HttpClient:
    return HttpClient(base_url=url, server="Test", timeout=2, backoff_seconds=0.01)


def test_mask_secrets_hides_tokens_salts_passwords_and_api_keys():
    line = "GET /rest/ping?u=alice&t=abc123&s=f00d&p=enc:616c&api_key=k3y&v=1.16.1"

    assert mask_secrets(line) == "GET /rest/ping?u=alice&t=***&s=***&p=***&api_key=***&v=1.16.1"


def test_401_and_403_are_auth_errors_naming_the_url(server):
    for path in ("/secret", "/forbidden"):
        with pytest.raises(MediaServerAuthError) as rejected:
            client(server.url).request("GET", path, params={"api_key": "do-not-print"})
        assert rejected.value.url == server.url + path
        assert "do-not-print" not in str(rejected.value)


def test_404_is_not_found(server):
    with pytest.raises(MediaServerNotFound):
        client(server.url).request("GET", "/nothing-here")


def test_credentials_in_the_url_become_basic_auth_and_leave_messages(server):
    http = client(server.url.replace("http://", "http://lms:pa55word@"))

    http.request("GET", "/audio")

    assert server.requests[-1].header("Authorization").startswith("Basic ")
    assert "pa55word" not in http.display("/audio")


def test_download_is_capped_while_streaming(server, tmp_path):
    with pytest.raises(TrackTooLarge):
        client(server.url).download("/audio", dest_dir=tmp_path, max_bytes=1_000_000)
    assert list(tmp_path.iterdir()) == []


def test_download_keeps_the_suffix_of_the_name_hint(server, tmp_path):
    path = client(server.url).download("/audio", dest_dir=tmp_path, max_bytes=5_000_000, name_hint="/music/a.flac")

    assert path.suffix == ".flac" and path.stat().st_size == 3_000_000


def test_a_connection_dropped_mid_download_leaves_no_file(tmp_path):
    with DroppingServer() as dropping, pytest.raises(MediaServerUnavailable):
        client(dropping.url).download("/truncated", dest_dir=tmp_path, max_bytes=5_000_000)
    assert list(tmp_path.iterdir()) == []
