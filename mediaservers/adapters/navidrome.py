"""Navidrome, and other Subsonic servers, through the Subsonic REST API (f=json).

Authentication is token auth (``u``, ``t`` = md5(password + salt), ``s``,
``v=1.16.1``, ``c=AudioMuse``). Servers without it (old Subsonic, supysonic,
LDAP users) answer the first ping with error 41/42, or 10 "missing parameter
p"; the adapter then switches, for this instance only, to ``p=enc:<hex>``.

Errors arrive with HTTP 200 in the ``subsonic-response`` envelope
(``status: failed``); 40/41 become MediaServerAuthError, 70 MediaServerNotFound.

Listing: ``getAlbumList2`` (type newest / alphabeticalByName, 500 per page,
Navidrome's maximum), ``getAlbum`` for an album's songs, and ``search3`` with
an empty query (Navidrome returns everything for it) for every track.

Play history: Navidrome keeps per-user ``playCount``/``played`` on songs and
albums, and every scrobble of a song also counts for its album, so an album's
count bounds its songs' counts. We walk ``getAlbumList2 type=frequent`` (most
played albums first) and read their songs until the ``limit``-th best song has
been played at least as often as the next album: the result is the exact top
list at the cost of one request per album visited, not per track. Servers
whose envelope says neither ``type: navidrome`` nor ``openSubsonic: true``
do not report per-user play counts, so the capability is absent there.

Playlists belong to the user who authenticates ``createPlaylist``: with
someone's own name and password, the playlist is theirs.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import logging
import secrets
from collections.abc import Iterator
from typing import Any

import requests

from mediaservers.adapters.base import Capability, MediaServerAdapter, MediaServerUser
from mediaservers.adapters.http import HttpClient
from mediaservers.adapters.records import Album, PlaylistInfo, PlayRecord, Track, parse_datetime
from mediaservers.errors import (
    IncompleteUserCredentials,
    MediaServerAuthError,
    MediaServerConfigError,
    MediaServerError,
    MediaServerNotFound,
)

logger = logging.getLogger("mediaservers")

API_VERSION = "1.16.1"
CLIENT_NAME = "AudioMuse"
PAGE_SIZE = 500
AUTH_ERROR_CODES = frozenset({40, 41, 42, 43, 44, 50})
# 10 is "required parameter missing": servers without token auth miss ``p``
TOKEN_AUTH_UNSUPPORTED_CODES = frozenset({10, 41, 42})
NOT_FOUND_CODE = 70


class NavidromeAdapter(MediaServerAdapter):
    server_type = "navidrome"
    static_capabilities = frozenset({Capability.DOWNLOAD, Capability.PLAYLISTS, Capability.PER_USER_PLAYLISTS})

    def __init__(self, config):
        super().__init__(config)
        if not (config.navidrome_url and config.navidrome_user and config.navidrome_password):
            raise MediaServerConfigError("Navidrome needs NAVIDROME_URL, NAVIDROME_USER and NAVIDROME_PASSWORD")
        self.http = HttpClient(
            base_url=config.navidrome_url + "/rest", server="Navidrome", timeout=config.timeout_seconds
        )
        self._legacy_auth = False
        self._server_info: dict | None = None

    # -- protocol -------------------------------------------------------------

    @property
    def display_url(self) -> str:
        return self.config.navidrome_url

    def _auth_params(self, credentials: tuple[str, str] | None = None) -> list[tuple[str, str]]:
        username, password = credentials or (self.config.navidrome_user, self.config.navidrome_password)
        params = [("u", username), ("v", API_VERSION), ("c", CLIENT_NAME), ("f", "json")]
        if self._legacy_auth:
            return [*params, ("p", "enc:" + password.encode("utf-8").hex())]
        salt = secrets.token_hex(8)
        token = hashlib.md5((password + salt).encode("utf-8")).hexdigest()
        return [*params, ("t", token), ("s", salt)]

    def _server(self) -> dict:
        """Ping once per instance: settles the auth mode and tells which server this is."""
        if self._server_info is None:
            envelope = self._envelope("ping", [], None, idempotent=True)
            error = envelope.get("error") or {}
            if envelope.get("status") == "failed" and error.get("code") in TOKEN_AUTH_UNSUPPORTED_CODES:
                logger.warning("mediaserver.subsonic.legacy_auth", extra={"url": self.display_url})
                self._legacy_auth = True
                envelope = self._envelope("ping", [], None, idempotent=True)
            self._raise_for_envelope(envelope, "ping")
            self._server_info = envelope
        return self._server_info

    def _call(
        self,
        method: str,
        params: list[tuple[str, Any]] | None = None,
        *,
        credentials: tuple[str, str] | None = None,
        idempotent: bool = True,
    ) -> dict:
        self._server()
        envelope = self._envelope(method, params or [], credentials, idempotent=idempotent)
        self._raise_for_envelope(envelope, method)
        return envelope

    def _envelope(self, method: str, params: list, credentials, *, idempotent: bool) -> dict:
        query = [*self._auth_params(credentials), *params]
        response = self.http.request("GET", f"/{method}", params=query, idempotent=idempotent)
        return self._decode(response, method)

    def _decode(self, response: requests.Response, method: str) -> dict:
        try:
            envelope = response.json()["subsonic-response"]
        except (ValueError, KeyError, TypeError):
            raise MediaServerError(f"{self.display_url} did not answer {method} like a Subsonic server") from None
        return envelope

    def _raise_for_envelope(self, envelope: dict, method: str) -> None:
        if envelope.get("status") != "failed":
            return
        error = envelope.get("error") or {}
        code, message = error.get("code"), error.get("message", "")
        url = self.http.display(f"/{method}")
        if code in AUTH_ERROR_CODES:
            raise MediaServerAuthError(f"Navidrome rejected the credentials at {url} (error {code})", url=url)
        if code == NOT_FOUND_CODE:
            raise MediaServerNotFound(f"Navidrome: {message} ({method})")
        raise MediaServerError(f"Navidrome error {code} from {method}: {message}")

    @property
    def capabilities(self) -> frozenset[Capability]:
        info = self._server()
        if info.get("type") == "navidrome" or info.get("openSubsonic"):
            return self.static_capabilities | {Capability.PLAY_HISTORY, Capability.PER_USER_HISTORY}
        return self.static_capabilities

    def capability_message(self, capability: Capability) -> str:
        if capability in (Capability.PLAY_HISTORY, Capability.PER_USER_HISTORY):
            info = self._server_info or {}
            server = info.get("type") or "this Subsonic server"
            return (
                f"{server} (API {info.get('version', '?')}) reports no per-user play counts; "
                "listening history needs Navidrome or another OpenSubsonic server"
            )
        return super().capability_message(capability)

    # -- library ---------------------------------------------------------------

    def _music_folders(self) -> list[dict]:
        return self._call("getMusicFolders").get("musicFolders", {}).get("musicFolder", [])

    def libraries(self) -> list[str]:
        wanted = {name.casefold() for name in self.config.music_libraries}
        names = [str(folder.get("name", "")) for folder in self._music_folders()]
        return [name for name in names if not wanted or name.casefold() in wanted]

    def _folder_ids(self) -> list[str | None]:
        if not self.config.music_libraries:
            return [None]
        folders = {str(folder.get("name", "")).casefold(): str(folder["id"]) for folder in self._music_folders()}
        missing = [name for name in self.config.music_libraries if name.casefold() not in folders]
        if missing:
            raise MediaServerNotFound(f"Navidrome has no music folder {missing}; available: {', '.join(folders)}")
        return [folders[name.casefold()] for name in self.config.music_libraries]

    def _album_pages(self, list_type: str, folder: str | None, limit: int | None = None) -> Iterator[dict]:
        offset = 0
        while limit is None or offset < limit:
            size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - offset)
            params = [("type", list_type), ("size", size), ("offset", offset)]
            if folder:
                params.append(("musicFolderId", folder))
            albums = self._call("getAlbumList2", params).get("albumList2", {}).get("album", [])
            yield from albums
            offset += len(albums)
            if len(albums) < size:
                return

    def _iter_albums(self, *, recent: int | None) -> Iterator[Album]:
        folders = self._folder_ids()
        if recent is None:
            items = itertools.chain.from_iterable(self._album_pages("alphabeticalByName", f) for f in folders)
        else:
            pages = [self._album_pages("newest", folder, recent) for folder in folders]
            merged = heapq.merge(*pages, key=lambda album: album.get("created") or "", reverse=True)
            items = itertools.islice(merged, recent)
        for item in items:
            yield Album(
                id=str(item["id"]),
                name=str(item.get("name") or item.get("title") or ""),
                artist=str(item.get("artist") or ""),
                year=item.get("year"),
                created_at=parse_datetime(item.get("created")),
            )

    def _album(self, album_id: str, credentials: tuple[str, str] | None = None) -> dict:
        return self._call("getAlbum", [("id", album_id)], credentials=credentials).get("album", {})

    def album_tracks(self, album_id: str) -> list[Track]:
        album = self._album(album_id)
        return [_track_from(song, album) for song in album.get("song", [])]

    def iter_tracks(self) -> Iterator[Track]:
        for folder in self._folder_ids():
            offset = 0
            while True:
                params = [("query", ""), ("artistCount", 0), ("albumCount", 0), ("songCount", PAGE_SIZE)]
                params.append(("songOffset", offset))
                if folder:
                    params.append(("musicFolderId", folder))
                songs = self._call("search3", params).get("searchResult3", {}).get("song", [])
                for song in songs:
                    yield _track_from(song, {})
                offset += len(songs)
                if len(songs) < PAGE_SIZE:
                    break

    def _download_track(self, track, dest_dir):
        self._server()
        return self.http.download(
            "/download",
            params=[*self._auth_params(), ("id", track.id)],
            dest_dir=dest_dir,
            max_bytes=self.config.max_download_bytes,
            name_hint=track.path,
            inspect=self._reject_error_body,
        )

    def _reject_error_body(self, response: requests.Response) -> None:
        """Subsonic reports download errors as a 200 JSON/XML envelope instead of audio."""
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith(("application/json", "text/xml", "application/xml")):
            self._raise_for_envelope(self._decode(response, "download"), "download")
            raise MediaServerError("Navidrome sent a document instead of audio for download")

    # -- playlists ---------------------------------------------------------------

    def _list_playlists(self) -> list[PlaylistInfo]:
        playlists = self._call("getPlaylists").get("playlists", {}).get("playlist", [])
        return [PlaylistInfo(str(p["id"]), str(p.get("name", "")), p.get("songCount")) for p in playlists]

    def _create_playlist(self, name: str, track_ids: list[str]) -> str:
        return self._create_playlist_as(name, track_ids, credentials=None)

    def _create_user_playlist(self, name: str, track_ids: list[str], user: MediaServerUser) -> str:
        return self._create_playlist_as(name, track_ids, credentials=self._user_credentials(user))

    def _user_credentials(self, user: MediaServerUser) -> tuple[str, str] | None:
        """The user's (name, password); None for the configured user named without a password."""
        if user.username and user.password:
            return user.username, user.password
        # AudioMuse-AI's page sends the prefilled configured user with the password left empty.
        if user.username == self.config.navidrome_user:
            return None
        raise IncompleteUserCredentials("Navidrome needs the user's name and password")

    def _create_playlist_as(self, name: str, track_ids: list[str], *, credentials: tuple[str, str] | None) -> str:
        params = [("name", name), *[("songId", track_id) for track_id in track_ids]]
        playlist = self._call("createPlaylist", params, credentials=credentials, idempotent=False).get("playlist")
        if playlist:
            return str(playlist["id"])
        # Subsonic before 1.14 answers with an empty envelope: find the newest of that name.
        candidates = self._call("getPlaylists", credentials=credentials).get("playlists", {}).get("playlist", [])
        named = [p for p in candidates if p.get("name") == name]
        if not named:
            raise MediaServerError(f"Navidrome did not create playlist {name!r}")
        return str(max(named, key=lambda p: p.get("created") or "")["id"])

    def _delete_playlist(self, playlist_id: str) -> None:
        self._call("deletePlaylist", [("id", playlist_id)], idempotent=False)

    # -- history ------------------------------------------------------------------

    def _play_history(self, *, limit: int, user: MediaServerUser | None) -> list[PlayRecord]:
        credentials = self._user_credentials(user) if user is not None else None
        best: list[tuple] = []  # min-heap of (count, played, id, song) holding the top ``limit``
        for album_item in self._frequent_albums(credentials):
            album_count = int(album_item.get("playCount") or 0)
            if album_count == 0 or (len(best) >= limit and best[0][0] >= album_count):
                break  # no song of this or any later album can beat the current top list
            for song in self._album(str(album_item["id"]), credentials).get("song", []):
                count = int(song.get("playCount") or 0)
                if count:
                    entry = (count, song.get("played") or "", str(song["id"]), song)
                    if len(best) < limit:
                        heapq.heappush(best, entry)
                    else:
                        heapq.heappushpop(best, entry)
        ranked = sorted(best, key=lambda entry: entry[:3], reverse=True)
        return [_play_record_from(song) for *_, song in ranked]

    def _frequent_albums(self, credentials: tuple[str, str] | None) -> Iterator[dict]:
        offset = 0
        while True:
            params = [("type", "frequent"), ("size", PAGE_SIZE), ("offset", offset)]
            albums = self._call("getAlbumList2", params, credentials=credentials).get("albumList2", {}).get("album", [])
            yield from albums
            offset += len(albums)
            if len(albums) < PAGE_SIZE:
                return

    def close(self) -> None:
        self.http.close()


def _track_from(song: dict, album: dict) -> Track:
    album_artist = song.get("displayAlbumArtist") or album.get("artist") or song.get("artist") or ""
    return Track(
        id=str(song["id"]),
        title=str(song.get("title") or ""),
        artist=str(song.get("artist") or ""),
        album=str(song.get("album") or album.get("name") or ""),
        album_artist=str(album_artist),
        duration_seconds=float(song["duration"]) if song.get("duration") is not None else None,
        year=song.get("year"),
        path=song.get("path"),
        album_id=str(song["albumId"]) if song.get("albumId") else None,
        artist_id=str(song["artistId"]) if song.get("artistId") else None,
    )


def _play_record_from(song: dict) -> PlayRecord:
    return PlayRecord(
        track_id=str(song["id"]),
        play_count=int(song.get("playCount") or 0),
        last_played=parse_datetime(song.get("played")),
        title=str(song.get("title") or ""),
        artist=str(song.get("artist") or ""),
    )
