"""A fake Lyrion Music Server: JSON-RPC ``slim.request`` at /jsonrpc.js and /music/<id>/download.

Copies the CLI's shapes: ``[command, start, count, "tag:value", ...]`` in,
``{"id", "method", "params", "result": {"count", "<command>_loop": [...]}}``
out; album tags l/y/a, track tags a/l/d/y/u/e/s/A/t/i/O (see the CLI docs);
``sort:new`` capped at the "browseagelimit" preference (100); playlists via
``playlists new|edit|delete|tracks``; optional HTTP basic auth.
"""

from __future__ import annotations

import base64
from pathlib import Path

from tests.mediaservers.fakes.catalog import Catalog, FakeAlbum, FakeTrack
from tests.mediaservers.fakes.server import FakeHttpServer, Request, Response, file_response, json_response

BROWSE_AGE_LIMIT = 100


class FakeLyrion(FakeHttpServer):
    def __init__(self, catalog: Catalog, *, username: str | None = None, password: str | None = None):
        super().__init__()
        self.catalog = catalog
        self.credentials = (username, password) if username else None
        self.album_ids = {album.key: 100 + album.key for album in catalog.albums}
        self.track_ids = {track.key: 1000 + track.key for track in catalog.tracks}
        self.tracks_by_id = {self.track_ids[t.key]: t for t in catalog.tracks}
        artist_names = sorted({t.artist or "No Artist" for t in catalog.tracks})
        self.artist_ids = {name: 10 + number for number, name in enumerate(artist_names)}  # LMS numbers them
        self.playcounts: dict[int, int] = {}
        self.playlists: dict[int, dict] = {}
        self._next_playlist = 500
        self.route("POST", "/jsonrpc.js", self.jsonrpc)
        self.route("GET", r"/music/(?P<track>\d+)/download", self.download)

    def authorized(self, request: Request) -> bool:
        if self.credentials is None:
            return True
        expected = base64.b64encode(":".join(self.credentials).encode()).decode()
        return request.header("Authorization") == f"Basic {expected}"

    def jsonrpc(self, request: Request) -> Response:
        if not self.authorized(request):
            return Response(401, b"", {"WWW-Authenticate": 'Basic realm="Lyrion"'})
        call = request.json()
        command = call["params"][1]
        positional = [part for part in command if not (isinstance(part, str) and ":" in part)]
        tags = dict(part.split(":", 1) for part in command if isinstance(part, str) and ":" in part)
        result = self.run(positional, tags)
        return json_response(
            {"id": call.get("id"), "method": "slim.request", "params": call["params"], "result": result}
        )

    def run(self, positional: list, tags: dict[str, str]) -> dict:
        name = positional[0]
        if name == "playlists" and len(positional) > 1 and positional[1] in ("new", "edit", "delete", "tracks"):
            return getattr(self, f"playlists_{positional[1]}")(positional[2:], tags)
        handler = {"albums": self.albums, "titles": self.titles, "playlists": self.playlists_list}.get(name)
        if name == "libraries":
            return {"folder_loop": [{"id": f"lib{index}", "name": n} for index, n in enumerate(self.catalog.libraries)]}
        return handler(positional[1:], tags) if handler else {}

    def page(self, items: list[dict], loop: str, positional: list) -> dict:
        start, count = int(positional[0]), int(positional[1])
        result = {"count": len(items)}
        if items[start : start + count]:
            result[loop] = items[start : start + count]
        return result

    def in_library(self, album: FakeAlbum, tags: dict[str, str]) -> bool:
        library = tags.get("library_id")
        return library is None or self.catalog.libraries[int(library[3:])] == album.library

    def albums(self, positional: list, tags: dict[str, str]) -> dict:
        albums = [album for album in self.catalog.albums if self.in_library(album, tags)]
        if tags.get("sort") == "new":
            albums = sorted(albums, key=lambda a: a.created, reverse=True)[:BROWSE_AGE_LIMIT]
        else:
            albums = sorted(albums, key=lambda a: a.name.lower())
        return self.page([self.album_json(a, tags.get("tags", "l")) for a in albums], "albums_loop", positional)

    def album_json(self, album: FakeAlbum, wanted: str) -> dict:
        body: dict = {"id": self.album_ids[album.key]}
        if "l" in wanted:
            body["album"] = album.name
        if "y" in wanted and album.year:
            body["year"] = album.year
        if "a" in wanted:
            body["artist"] = album.artist or "No Artist"
        return body

    def titles(self, positional: list, tags: dict[str, str]) -> dict:
        tracks = [t for t in self.catalog.tracks if self.in_library(self.catalog.albums[t.album_key], tags)]
        if "album_id" in tags:
            tracks = [t for t in tracks if self.album_ids[t.album_key] == int(tags["album_id"])]
        if "track_id" in tags:
            tracks = [t for t in tracks if self.track_ids[t.key] == int(tags["track_id"])]
        if tags.get("sort") == "tracknum":
            tracks = sorted(tracks, key=lambda t: t.track_number or 0)
        items = [self.track_json(t, tags.get("tags", "gald")) for t in tracks]
        return self.page(items, "titles_loop", positional)

    def track_json(self, track: FakeTrack, wanted: str) -> dict:
        track_id = self.track_ids[track.key]
        fields = {
            "a": ("artist", track.artist or "No Artist"),
            "l": ("album", track.album),
            "d": ("duration", track.duration_seconds),
            "y": ("year", str(track.year or 0)),
            "u": ("url", Path(track.path).as_uri() if track.path else f"db:track.id={track_id}"),
            "e": ("album_id", self.album_ids[track.album_key]),
            "s": ("artist_id", self.artist_ids[track.artist or "No Artist"]),
            "A": ("albumartist", track.album_artist),
            "t": ("tracknum", str(track.track_number or "")),
            "O": ("playcount", self.playcounts.get(track_id, 0)),
        }
        body = {"id": track_id, "title": track.title}
        for letter, (key, value) in fields.items():
            if letter in wanted:
                body[key] = value
        return body

    def playlists_list(self, positional: list, tags: dict[str, str]) -> dict:
        items = [
            {"id": pid, "playlist": p["name"], "url": f"file:///playlists/{p['name']}.m3u"}
            for pid, p in self.playlists.items()
        ]
        return self.page(items, "playlists_loop", positional)

    def playlists_new(self, positional: list, tags: dict[str, str]) -> dict:
        for playlist_id, playlist in self.playlists.items():
            if playlist["name"] == tags["name"]:
                return {"overwritten_playlist_id": playlist_id}
        self._next_playlist += 1
        self.playlists[self._next_playlist] = {"name": tags["name"], "urls": []}
        return {"playlist_id": self._next_playlist}

    def playlists_edit(self, positional: list, tags: dict[str, str]) -> dict:
        if tags.get("cmd") == "add":
            self.playlists[int(tags["playlist_id"])]["urls"].append(tags["url"])
        return {}

    def playlists_delete(self, positional: list, tags: dict[str, str]) -> dict:
        self.playlists.pop(int(tags["playlist_id"]), None)
        return {}

    def playlists_tracks(self, positional: list, tags: dict[str, str]) -> dict:
        urls = self.playlists[int(tags["playlist_id"])]["urls"]
        return self.page(
            [{"playlist index": i, "url": url} for i, url in enumerate(urls)], "playlisttracks_loop", positional
        )

    def download(self, request: Request) -> Response:
        if not self.authorized(request):
            return Response(401, b"")
        track = self.tracks_by_id.get(int(request.match["track"]))
        if track is None or track.path is None:
            return Response(404, b"")
        return file_response(track.path, "audio/flac" if track.path.suffix == ".flac" else "audio/mpeg")

    # -- test helpers -----------------------------------------------------------------

    def set_plays(self, title: str, count: int) -> None:
        self.playcounts[self.track_ids[self.catalog.track_by_title(title).key]] = count

    def playlist_track_ids(self, playlist_id: str) -> list[str]:
        by_url = {Path(t.path).as_uri(): str(self.track_ids[t.key]) for t in self.catalog.tracks if t.path}
        return [by_url[url] for url in self.playlists[int(playlist_id)]["urls"]]
