"""A fake Navidrome: its exact ``subsonic-response`` envelope, token auth, per-user plays.

What it copies from Navidrome (0.5x):

- every answer is HTTP 200 with ``{"subsonic-response": {"status", "version":
  "1.16.1", "type": "navidrome", "serverVersion", "openSubsonic": true, ...}}``;
  errors add ``"error": {"code", "message"}`` (10 missing parameter, 40 wrong
  credentials, 70 not found);
- auth by ``u`` + ``t``/``s`` (t = md5(password + salt)) or ``p`` (plain or enc:hex);
- ``getAlbumList2`` sizes are capped at 500; ``search3`` with an empty query
  returns everything;
- songs and albums carry the caller's own ``playCount`` and ``played``; an
  album's count is the sum of its songs' counts (a scrobble counts for both).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from tests.mediaservers.fakes.catalog import Catalog, FakeAlbum, FakeTrack
from tests.mediaservers.fakes.server import FakeHttpServer, Request, Response, file_response, json_response

MAX_LIST_SIZE = 500


class SubsonicFailure(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _id(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()[:22]


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class FakeNavidrome(FakeHttpServer):
    def serve_as(self, settings, user: str = "alice") -> None:
        """Make this fake the configured media server (pytest-django ``settings``), logged in as ``user``."""
        settings.MEDIASERVER_TYPE = "navidrome"
        settings.NAVIDROME_URL, settings.NAVIDROME_USER, settings.NAVIDROME_PASSWORD = (
            self.url,
            user,
            self.passwords[user],
        )

    def __init__(self, catalog: Catalog, *, token_auth: bool = True):
        super().__init__()
        self.catalog = catalog
        self.token_auth = token_auth  # False: answer 41 like Navidrome does for LDAP-backed users
        self.passwords = {"alice": "alice-pass", "bob": "bob-pass"}
        self.album_ids = {album.key: _id(f"album:{album.key}") for album in catalog.albums}
        self.track_ids = {track.key: _id(f"track:{track.key}") for track in catalog.tracks}
        self.albums_by_id = {self.album_ids[a.key]: a for a in catalog.albums}
        self.tracks_by_id = {self.track_ids[t.key]: t for t in catalog.tracks}
        self.plays: dict[str, dict[str, tuple[int, datetime]]] = {user: {} for user in self.passwords}
        self.playlists: dict[str, dict] = {}
        self._counter = 0
        self.route("GET", r"/rest/(?P<method>\w+?)(?:\.view)?", self.handle)
        self.route("POST", r"/rest/(?P<method>\w+?)(?:\.view)?", self.handle)

    # -- protocol ------------------------------------------------------------

    def envelope(self, status: str = "ok", **payload: object) -> Response:
        body = {
            "status": status,
            "version": "1.16.1",
            "type": "navidrome",
            "serverVersion": "0.55.2 (fake)",
            "openSubsonic": True,
        }
        body.update(payload)
        return json_response({"subsonic-response": body})

    def handle(self, request: Request) -> Response:
        method = request.match["method"]
        try:
            user = self.authenticate(request)
            handler = getattr(self, f"api_{method}", None)
            if handler is None:
                raise SubsonicFailure(0, f"Unknown method {method}")
            return handler(request, user)
        except SubsonicFailure as failure:
            return self.envelope("failed", error={"code": failure.code, "message": failure.message})

    def authenticate(self, request: Request) -> str:
        username = request.param("u")
        if not username or not (request.param("p") or request.param("t")):
            raise SubsonicFailure(10, "Missing required parameter")
        password = self.passwords.get(username)
        if password is None:
            raise SubsonicFailure(40, "Wrong username or password")
        if request.param("t") is not None:
            if not self.token_auth:
                raise SubsonicFailure(41, "Token authentication not supported for LDAP users")
            expected = hashlib.md5((password + (request.param("s") or "")).encode()).hexdigest()
            ok = request.param("t") == expected
        else:
            sent = request.param("p") or ""
            ok = (bytes.fromhex(sent[4:]).decode() if sent.startswith("enc:") else sent) == password
        if not ok:
            raise SubsonicFailure(40, "Wrong username or password")
        return username

    def required(self, request: Request, name: str) -> str:
        value = request.param(name)
        if value is None:
            raise SubsonicFailure(10, f"required '{name}' parameter is missing")
        return value

    # -- shapes --------------------------------------------------------------------

    def album_json(self, album: FakeAlbum, user: str) -> dict:
        album_id = self.album_ids[album.key]
        counts = [self.plays[user].get(self.track_ids[t.key]) for t in album.tracks]
        played = [p for p in counts if p]
        body = {
            "id": album_id,
            "name": album.name,
            "artist": album.artist or "[Unknown Artist]",
            "artistId": _id(f"artist:{album.artist}"),
            "coverArt": f"al-{album_id}",
            "songCount": len(album.tracks),
            "duration": int(sum(t.duration_seconds for t in album.tracks)),
            "playCount": sum(count for count, _ in played),
            "created": _time(album.created),
            "isDir": True,
        }
        if played:
            body["played"] = _time(max(when for _, when in played))
        if album.year:
            body["year"] = album.year
        return body

    def song_json(self, track: FakeTrack, user: str) -> dict:
        track_id = self.track_ids[track.key]
        count, played = self.plays[user].get(track_id, (0, None))
        suffix = track.path.suffix[1:] if track.path else "mp3"
        body = {
            "id": track_id,
            "parent": self.album_ids[track.album_key],
            "isDir": False,
            "title": track.title,
            "album": track.album,
            "artist": track.artist or "[Unknown Artist]",
            "size": track.path.stat().st_size if track.path else 0,
            "suffix": suffix,
            "duration": round(track.duration_seconds),
            "path": f"{track.album_artist or '[Unknown Artist]'}/{track.album}/{track.title}.{suffix}",
            "playCount": count,
            "created": _time(track.created),
            "albumId": self.album_ids[track.album_key],
            "artistId": _id(f"artist:{track.artist}"),
            "type": "music",
            "isVideo": False,
            "displayAlbumArtist": track.album_artist or "[Unknown Artist]",
        }
        if played:
            body["played"] = _time(played)
        if track.track_number:
            body["track"] = track.track_number
        if track.year:
            body["year"] = track.year
        return body

    # -- methods -------------------------------------------------------------------

    def api_ping(self, request: Request, user: str) -> Response:
        return self.envelope()

    def api_getMusicFolders(self, request: Request, user: str) -> Response:
        folders = [{"id": index + 1, "name": name} for index, name in enumerate(self.catalog.libraries)]
        return self.envelope(musicFolders={"musicFolder": folders})

    def api_getAlbumList2(self, request: Request, user: str) -> Response:
        list_type = self.required(request, "type")
        size = min(int(request.param("size") or 10), MAX_LIST_SIZE)
        offset = int(request.param("offset") or 0)
        albums = self.albums_in_folder(request.param("musicFolderId"))
        orders = {
            "newest": (lambda a: a.created, True),
            "alphabeticalByName": (lambda a: a.name.lower(), False),
            "frequent": (lambda a: self.album_json(a, user)["playCount"], True),
        }
        if list_type not in orders:
            raise SubsonicFailure(0, f"type '{list_type}' not implemented by the fake")
        key, descending = orders[list_type]
        if list_type == "frequent":
            albums = [a for a in albums if self.album_json(a, user)["playCount"] > 0]
        page = sorted(albums, key=key, reverse=descending)[offset : offset + size]
        return self.envelope(albumList2={"album": [self.album_json(a, user) for a in page]})

    def albums_in_folder(self, folder_id: str | None) -> list[FakeAlbum]:
        if folder_id is None:
            return list(self.catalog.albums)
        name = self.catalog.libraries[int(folder_id) - 1]
        return [album for album in self.catalog.albums if album.library == name]

    def api_getAlbum(self, request: Request, user: str) -> Response:
        album = self.albums_by_id.get(self.required(request, "id"))
        if album is None:
            raise SubsonicFailure(70, "Album not found")
        body = self.album_json(album, user)
        body["song"] = [self.song_json(t, user) for t in sorted(album.tracks, key=lambda t: t.track_number or 0)]
        return self.envelope(album=body)

    def api_search3(self, request: Request, user: str) -> Response:
        query = self.required(request, "query").strip('"')
        tracks = [t for t in self.catalog.tracks if query.lower() in t.title.lower()]
        offset = int(request.param("songOffset") or 0)
        count = int(request.param("songCount") or 20)
        songs = [self.song_json(t, user) for t in tracks[offset : offset + count]]
        return self.envelope(searchResult3={"song": songs} if songs else {})

    def api_download(self, request: Request, user: str) -> Response:
        track = self.tracks_by_id.get(self.required(request, "id"))
        if track is None or track.path is None:
            raise SubsonicFailure(70, "Song not found")
        return file_response(track.path, "audio/flac" if track.path.suffix == ".flac" else "audio/mpeg")

    def playlist_json(self, playlist: dict) -> dict:
        return {
            "id": playlist["id"],
            "name": playlist["name"],
            "songCount": len(playlist["songs"]),
            "duration": 0,
            "public": False,
            "owner": playlist["owner"],
            "created": playlist["created"],
            "changed": playlist["created"],
        }

    def api_getPlaylists(self, request: Request, user: str) -> Response:
        mine = [self.playlist_json(p) for p in self.playlists.values() if p["owner"] == user]
        return self.envelope(playlists={"playlist": mine})

    def api_createPlaylist(self, request: Request, user: str) -> Response:
        name = self.required(request, "name")
        songs = request.params("songId")
        if any(song not in self.tracks_by_id for song in songs):
            raise SubsonicFailure(70, "Song not found")
        self._counter += 1
        playlist = {"id": _id(f"playlist:{self._counter}"), "name": name, "songs": songs, "owner": user}
        playlist["created"] = _time(datetime.now())
        self.playlists[playlist["id"]] = playlist
        body = self.playlist_json(playlist)
        body["entry"] = [self.song_json(self.tracks_by_id[song], user) for song in songs]
        return self.envelope(playlist=body)

    def api_deletePlaylist(self, request: Request, user: str) -> Response:
        playlist = self.playlists.get(self.required(request, "id"))
        if playlist is None or playlist["owner"] != user:
            raise SubsonicFailure(70, "Playlist not found")
        del self.playlists[playlist["id"]]
        return self.envelope()

    # -- test helpers ------------------------------------------------------------------

    def set_plays(self, user: str, title: str, count: int, when: datetime) -> None:
        self.plays[user][self.track_ids[self.catalog.track_by_title(title).key]] = (count, when)

    def playlist_track_ids(self, playlist_id: str) -> list[str]:
        return list(self.playlists[playlist_id]["songs"])
