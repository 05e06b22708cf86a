"""Backends for the adapter contract suite: real MPD and supysonic, fakes for the rest.

Each ``<name>_backend`` fixture gives a ``Backend``: the configuration that
points an adapter at the server, plus the test-side hooks the contract needs
(read a playlist's contents, seed play counts, bad credentials, a dead address).
Servers are session-scoped and started only when a test asks for them.
"""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from mpd import MPDClient

from mediaservers.adapters import MediaServerAdapter, MediaServerUser, adapter_for
from mediaservers.adapters.local import stable_id
from mediaservers.config import MediaServerConfig
from tests.mediaservers import servers
from tests.mediaservers.fakes.catalog import Catalog
from tests.mediaservers.fakes.jellyfin import FakeEmby, FakeJellyfin
from tests.mediaservers.fakes.lyrion import FakeLyrion
from tests.mediaservers.fakes.navidrome import FakeNavidrome
from tests.mediaservers.library import write_library

TEST_TIMEOUT_SECONDS = 5.0
BACKENDS = ("local", "mpd", "supysonic", "navidrome_fake", "jellyfin_fake", "emby_fake", "lyrion_fake")


@dataclass
class Backend:
    name: str
    config: MediaServerConfig
    music_dir: Path
    read_playlist: Callable[[str], list[str]]
    unreachable: Callable[[], dict]  # settings pointing at nothing, made when needed
    bad_credentials: dict | None = None
    seed_plays: Callable[[dict[str, int], str | None], None] | None = None
    other_user: MediaServerUser | None = None
    other_user_name: str | None = None

    def adapter(self, **overrides) -> MediaServerAdapter:
        return adapter_for(dataclasses.replace(self.config, **overrides))


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def base_config(**values) -> MediaServerConfig:
    return MediaServerConfig.build(**{"timeout_seconds": TEST_TIMEOUT_SECONDS, **values})


def minutes_ago(minutes: int) -> datetime:
    return datetime.now(tz=UTC).replace(microsecond=0) - timedelta(minutes=minutes)


def plays_seeder(fake) -> Callable[[dict[str, int], str | None], None]:
    """``Backend.seed_plays`` for the fakes that keep plays per user (alice's by default)."""

    def seed_plays(plays: dict[str, int], user: str | None) -> None:
        for title, count in plays.items():
            fake.set_plays(user or "alice", title, count, minutes_ago(count))

    return seed_plays


def fake_backend(
    fake,
    music_dir: Path,
    config: MediaServerConfig,
    bad_credentials: dict,
    *,
    other_user: MediaServerUser | None = None,
    seed_plays: Callable[[dict[str, int], str | None], None] | None = None,
) -> Backend:
    """A Backend on one of the HTTP fakes: the fake reads its own playlists, a closed port stands for a dead server.

    Plays are seeded per user (alice's by default) unless ``seed_plays`` says otherwise; ``other_user`` is bob.
    """
    url_setting = f"{config.server_type}_url"
    return Backend(
        f"{config.server_type}_fake",
        config,
        music_dir,
        fake.playlist_track_ids,
        unreachable=lambda: {url_setting: f"http://127.0.0.1:{closed_port()}"},
        bad_credentials=bad_credentials,
        seed_plays=seed_plays or plays_seeder(fake),
        other_user=other_user,
        other_user_name="bob" if other_user else None,
    )


@pytest.fixture(scope="session")
def music_dir(tmp_path_factory) -> Path:
    return write_library(tmp_path_factory.mktemp("music") / "library")


@pytest.fixture(params=BACKENDS)
def backend(request) -> Backend:
    return request.getfixturevalue(f"{request.param}_backend")


# -- local folder --------------------------------------------------------------------


@pytest.fixture(scope="session")
def local_backend(music_dir, tmp_path_factory) -> Backend:
    playlist_dir = tmp_path_factory.mktemp("local-playlists")

    def read_playlist(playlist_id: str) -> list[str]:
        lines = (playlist_dir / playlist_id).read_text(encoding="utf-8").splitlines()
        paths = [(playlist_dir / line).resolve() for line in lines if line and not line.startswith("#")]
        return [stable_id(path.relative_to(music_dir.resolve()).as_posix()) for path in paths]

    config = base_config(server_type="local", music_dir=music_dir, playlist_dir=playlist_dir)
    unmounted = {"music_dir": str(music_dir / "not-mounted")}
    return Backend("local", config, music_dir, read_playlist, unreachable=lambda: unmounted)


# -- MPD --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def mpd_server(music_dir, tmp_path_factory) -> Iterator[servers.RunningServer]:
    server = servers.start_mpd(tmp_path_factory.mktemp("mpd"), music_dir)
    yield server
    server.stop()


def mpd_client(address: str) -> MPDClient:
    client = MPDClient()
    client.timeout = 5
    client.connect(address)
    client.password(servers.MPD_PASSWORD)
    return client


@pytest.fixture(scope="session")
def mpd_backend(mpd_server, music_dir) -> Backend:
    def read_playlist(name: str) -> list[str]:
        client = mpd_client(mpd_server.address)
        try:
            return client.listplaylist(name)
        finally:
            client.disconnect()

    def seed_plays(plays: dict[str, int], user: str | None) -> None:
        client = mpd_client(mpd_server.address)
        try:
            for title, count in plays.items():
                uri = client.find(f'(title == "{title}")')[0]["file"]
                client.sticker_set("song", uri, "playCount", str(count))
                client.sticker_set("song", uri, "lastPlayed", str(int(minutes_ago(count).timestamp())))
        finally:
            client.disconnect()

    # No MPD_MUSIC_DIRECTORY: over the unix socket the adapter asks MPD for it.
    config = base_config(server_type="mpd", mpd_host=mpd_server.address, mpd_password=servers.MPD_PASSWORD)
    return Backend(
        "mpd",
        config,
        music_dir,
        read_playlist,
        unreachable=lambda: {"mpd_host": "127.0.0.1", "mpd_port": closed_port()},
        bad_credentials={"mpd_password": "wrong-password"},
        seed_plays=seed_plays,
    )


# -- Subsonic: supysonic and the Navidrome fake ------------------------------------------------


@pytest.fixture(scope="session")
def supysonic_server(music_dir, tmp_path_factory) -> Iterator[servers.RunningServer]:
    server = servers.start_supysonic(tmp_path_factory.mktemp("supysonic"), music_dir)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def supysonic_backend(supysonic_server, music_dir) -> Backend:
    def read_playlist(playlist_id: str) -> list[str]:
        params = {"u": servers.SUPYSONIC_USER, "p": servers.SUPYSONIC_PASSWORD, "c": "test", "v": "1.12.0", "f": "json"}
        answer = requests.get(f"{supysonic_server.address}/rest/getPlaylist", params={**params, "id": playlist_id})
        return [entry["id"] for entry in answer.json()["subsonic-response"]["playlist"].get("entry", [])]

    config = base_config(
        server_type="navidrome",
        navidrome_url=supysonic_server.address,
        navidrome_user=servers.SUPYSONIC_USER,
        navidrome_password=servers.SUPYSONIC_PASSWORD,
    )
    return Backend(
        "supysonic",
        config,
        music_dir,
        read_playlist,
        unreachable=lambda: {"navidrome_url": f"http://127.0.0.1:{closed_port()}"},
        bad_credentials={"navidrome_password": "wrong-password"},
    )


@pytest.fixture(scope="session")
def navidrome_fake(music_dir) -> Iterator[FakeNavidrome]:
    yield from FakeNavidrome(Catalog.from_music_dir(music_dir, untagged_album="[Unknown Album]")).serving()


@pytest.fixture(scope="session")
def navidrome_fake_backend(navidrome_fake, music_dir) -> Backend:
    config = base_config(
        server_type="navidrome",
        navidrome_url=navidrome_fake.url,
        navidrome_user="alice",
        navidrome_password="alice-pass",
    )
    bob_credentials = MediaServerUser(username="bob", password="bob-pass")
    wrong_password = {"navidrome_password": "wrong-password"}
    return fake_backend(navidrome_fake, music_dir, config, wrong_password, other_user=bob_credentials)


# -- Jellyfin and Emby fakes -----------------------------------------------------------------


@pytest.fixture(scope="session")
def jellyfin_fake(music_dir) -> Iterator[FakeJellyfin]:
    yield from FakeJellyfin(Catalog.from_music_dir(music_dir)).serving()


@pytest.fixture(scope="session")
def jellyfin_fake_backend(jellyfin_fake, music_dir) -> Backend:
    # JELLYFIN_USER_ID holds a user *name* here, to exercise the name -> id lookup.
    url, api_key = jellyfin_fake.url, jellyfin_fake.api_key
    config = base_config(server_type="jellyfin", jellyfin_url=url, jellyfin_user_id="alice", jellyfin_token=api_key)
    bob = jellyfin_fake.users["bob"]
    bob_credentials = MediaServerUser(user_id=bob.id, token=bob.token)
    return fake_backend(jellyfin_fake, music_dir, config, {"jellyfin_token": "wrong-token"}, other_user=bob_credentials)


@pytest.fixture(scope="session")
def emby_fake(music_dir) -> Iterator[FakeEmby]:
    yield from FakeEmby(Catalog.from_music_dir(music_dir)).serving()


@pytest.fixture(scope="session")
def emby_fake_backend(emby_fake, music_dir) -> Backend:
    alice, bob = emby_fake.users["alice"], emby_fake.users["bob"]
    bob_credentials = MediaServerUser(user_id=bob.id, token=bob.token)
    config = base_config(server_type="emby", emby_url=emby_fake.url, emby_user_id=alice.id, emby_token="emby-api-key")
    return fake_backend(emby_fake, music_dir, config, {"emby_token": "wrong-token"}, other_user=bob_credentials)


# -- Lyrion fake ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def lyrion_fake(music_dir) -> Iterator[FakeLyrion]:
    yield from FakeLyrion(Catalog.from_music_dir(music_dir), username="lms", password="lms-pass").serving()


@pytest.fixture(scope="session")
def lyrion_fake_backend(lyrion_fake, music_dir) -> Backend:
    def seed_plays(plays: dict[str, int], user: str | None) -> None:
        for title, count in plays.items():
            lyrion_fake.set_plays(title, count)

    with_password = lyrion_fake.url.replace("http://", "http://lms:lms-pass@")
    config = base_config(server_type="lyrion", lyrion_url=with_password)
    wrong_password = {"lyrion_url": lyrion_fake.url.replace("http://", "http://lms:wrong-password@")}
    return fake_backend(lyrion_fake, music_dir, config, wrong_password, seed_plays=seed_plays)
