"""Run supysonic (a real Subsonic server) on loopback for the contract suite.

    python -m tests.mediaservers.run_supysonic DATA_DIR MUSIC_DIR USER PASSWORD

Creates a sqlite database in DATA_DIR, adds the user and the music folder,
scans it, then serves the API on 127.0.0.1 with a free port, which it prints
on its first output line. Runs in its own process because supysonic keeps
its database connection in module globals.
"""

from __future__ import annotations

import sys
from pathlib import Path


def make_config(data_dir: Path) -> type:
    from supysonic.config import DefaultConfig

    class TestConfig(DefaultConfig):
        BASE = {"database_uri": f"sqlite:///{data_dir / 'supysonic.db'}", "scanner_extensions": None}
        BASE["follow_symlinks"] = False
        WEBAPP = {**DefaultConfig.WEBAPP, "cache_dir": str(data_dir / "cache"), "mount_webui": False}
        DAEMON = {**DefaultConfig.DAEMON, "socket": str(data_dir / "daemon.sock"), "run_watcher": False}

    return TestConfig


def prepare(config: type, music_dir: Path, user: str, password: str) -> None:
    from supysonic.db import init_database, release_database
    from supysonic.managers.folder import FolderManager
    from supysonic.managers.user import UserManager
    from supysonic.scanner import Scanner

    init_database(config.BASE["database_uri"])
    UserManager.add(user, password, admin=True)
    FolderManager.add("Music", str(music_dir))
    scanner = Scanner()
    scanner.queue_folder("Music")
    scanner.run()  # synchronously: the server must not answer before the scan is done
    release_database()


def main(argv: list[str]) -> None:
    data_dir, music_dir, user, password = Path(argv[0]), Path(argv[1]), argv[2], argv[3]
    (data_dir / "cache").mkdir(parents=True, exist_ok=True)
    config = make_config(data_dir)
    prepare(config, music_dir, user, password)

    from supysonic.web import create_application
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, create_application(config()), threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
