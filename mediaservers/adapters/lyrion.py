"""Lyrion Music Server (formerly Logitech Media Server) through its JSON-RPC endpoint.

Every query is ``POST /jsonrpc.js`` with
``{"id": 1, "method": "slim.request", "params": ["", [command, args...]]}``
and answers ``{"result": {...}}``; listings are paged with ``<start> <count>``
and return ``count`` plus a ``*_loop`` list. Audio comes from
``GET /music/<track id>/download``. A server behind basic auth is reached by
putting the credentials in LYRION_URL (http://user:password@host:9000).

Facts worth knowing:

- ``albums ... sort:new`` orders by when tracks were added, but the server caps
  that list at its "browseagelimit" preference (100 by default), so
  ``iter_albums(recent=N)`` returns at most that many.
- Play counts live in Lyrion's persistent database and are returned by the
  ``O`` tag (``playcount``) of ``titles``; the CLI exposes no last-played time
  and no per-user counts. ``play_history`` therefore pages through ``titles``
  (one request per 500 tracks) keeping the top ``limit``, with
  ``last_played=None``.
- MUSIC_LIBRARIES names Lyrion's virtual libraries (``libraries`` query,
  passed as ``library_id``). The albums query carries no added date, so with
  several libraries the recent albums come library by library.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from mediaservers.adapters.base import Capability, MediaServerAdapter, MediaServerUser
from mediaservers.adapters.http import HttpClient
from mediaservers.adapters.records import Album, PlaylistInfo, PlayRecord, Track, year_from
from mediaservers.errors import MediaServerConfigError, MediaServerError, MediaServerNotFound

PAGE_SIZE = 500
ALBUM_TAGS = "tags:lya"  # album, year, artist
TRACK_TAGS = "tags:aldyueAtis"  # artist, album, duration, year, url, album_id, roles, tracknum, disc, artist_id
HISTORY_TAGS = "tags:aO"  # artist, playcount


class LyrionAdapter(MediaServerAdapter):
    server_type = "lyrion"
    static_capabilities = frozenset({Capability.DOWNLOAD, Capability.PLAYLISTS, Capability.PLAY_HISTORY})

    def __init__(self, config):
        super().__init__(config)
        if not config.lyrion_url:
            raise MediaServerConfigError("Lyrion needs LYRION_URL")
        self.http = HttpClient(base_url=config.lyrion_url, server="Lyrion", timeout=config.timeout_seconds)

    @property
    def display_url(self) -> str:
        return self.http.base_url

    def capability_message(self, capability: Capability) -> str:
        if capability is Capability.PER_USER_HISTORY:
            return "Lyrion keeps one play count per track for the whole server, not per user"
        return super().capability_message(capability)

    def _request(self, *command: Any, idempotent: bool = True) -> dict:
        body = {"id": 1, "method": "slim.request", "params": ["", list(command)]}
        answer = self.http.send_json("POST", "/jsonrpc.js", json=body, idempotent=idempotent)
        if not isinstance(answer, dict):
            raise MediaServerError(f"Lyrion at {self.display_url} did not answer like a JSON-RPC server")
        return answer.get("result") or {}

    def _paged(self, command: str, loop: str, *args: str, limit: int | None = None) -> Iterator[dict]:
        """One request per PAGE_SIZE items of ``<command> <start> <count> args...``."""
        start = 0
        while limit is None or start < limit:
            size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - start)
            result = self._request(command, start, size, *args)
            items = result.get(loop) or []
            yield from items
            start += len(items)
            if len(items) < size or start >= int(result.get("count") or 0):
                return

    # -- library ---------------------------------------------------------------

    def _virtual_libraries(self) -> dict[str, str]:
        folders = self._request("libraries").get("folder_loop") or []
        return {str(folder.get("name", "")): str(folder["id"]) for folder in folders}

    def libraries(self) -> list[str]:
        names = list(self._virtual_libraries())
        wanted = {name.casefold() for name in self.config.music_libraries}
        return [name for name in names if not wanted or name.casefold() in wanted]

    def _library_filters(self) -> list[tuple[str, ...]]:
        if not self.config.music_libraries:
            return [()]
        known = {name.casefold(): library_id for name, library_id in self._virtual_libraries().items()}
        missing = [name for name in self.config.music_libraries if name.casefold() not in known]
        if missing:
            raise MediaServerNotFound(f"Lyrion has no virtual library {missing}")
        return [(f"library_id:{known[name.casefold()]}",) for name in self.config.music_libraries]

    def _iter_albums(self, *, recent: int | None) -> Iterator[Album]:
        sort = "sort:album" if recent is None else "sort:new"
        pages = (self._paged("albums", "albums_loop", sort, ALBUM_TAGS, *f) for f in self._library_filters())
        items = itertools.chain.from_iterable(pages)
        if recent is not None:
            items = itertools.islice(items, recent)
        for item in items:
            yield Album(
                id=str(item["id"]),
                name=str(item.get("album") or ""),
                artist=str(item.get("artist") or ""),
                year=year_from(item.get("year")),
            )

    def count_albums(self) -> int:
        return sum(int(self._request("albums", 0, 1, "tags:l", *f).get("count") or 0) for f in self._library_filters())

    def album_tracks(self, album_id: str) -> list[Track]:
        items = self._paged("titles", "titles_loop", f"album_id:{album_id}", "sort:tracknum", TRACK_TAGS)
        return [_track_from(item) for item in items]

    def iter_tracks(self) -> Iterator[Track]:
        for filters in self._library_filters():
            for item in self._paged("titles", "titles_loop", TRACK_TAGS, *filters):
                yield _track_from(item)

    def _download_track(self, track, dest_dir):
        cap = self.config.max_download_bytes
        return self.http.download(f"/music/{track.id}/download", dest_dir=dest_dir, max_bytes=cap, name_hint=track.path)

    # -- playlists ---------------------------------------------------------------

    def _list_playlists(self) -> list[PlaylistInfo]:
        return [
            PlaylistInfo(id=str(item["id"]), name=str(item.get("playlist", "")), track_count=None)
            for item in self._paged("playlists", "playlists_loop", "tags:u")
        ]

    def _create_playlist(self, name: str, track_ids: list[str]) -> str:
        urls = [self._track_url(track_id) for track_id in track_ids]
        result = self._request("playlists", "new", f"name:{name}", idempotent=False)
        if "overwritten_playlist_id" in result:
            # a playlist of that name exists: replace it, as the file-based servers do
            self._delete_playlist(str(result["overwritten_playlist_id"]))
            result = self._request("playlists", "new", f"name:{name}", idempotent=False)
        playlist_id = str(result["playlist_id"])
        for url in urls:
            self._request("playlists", "edit", "cmd:add", f"playlist_id:{playlist_id}", f"url:{url}", idempotent=False)
        return playlist_id

    def _track_url(self, track_id: str) -> str:
        items = self._request("titles", 0, 1, f"track_id:{track_id}", "tags:u").get("titles_loop") or []
        if not items or not items[0].get("url"):
            raise MediaServerNotFound(f"Lyrion has no track {track_id}")
        return str(items[0]["url"])

    def _delete_playlist(self, playlist_id: str) -> None:
        self._request("playlists", "delete", f"playlist_id:{playlist_id}", idempotent=False)

    # -- history -------------------------------------------------------------------

    def _play_history(self, *, limit: int, user: MediaServerUser | None) -> list[PlayRecord]:
        best: list[tuple[int, str, dict]] = []
        for filters in self._library_filters():
            for item in self._paged("titles", "titles_loop", HISTORY_TAGS, *filters):
                count = int(item.get("playcount") or 0)
                if count:
                    entry = (count, str(item["id"]), item)
                    if len(best) < limit:
                        heapq.heappush(best, entry)
                    else:
                        heapq.heappushpop(best, entry)
        ranked = sorted(best, key=lambda entry: entry[:2], reverse=True)
        return [
            PlayRecord(
                track_id=track_id,
                play_count=count,
                last_played=None,
                title=str(item.get("title") or ""),
                artist=str(item.get("artist") or ""),
            )
            for count, track_id, item in ranked
        ]

    def close(self) -> None:
        self.http.close()


def _path_from_url(url: str | None) -> str | None:
    """file:///music/A%20B/01.flac -> /music/A B/01.flac (other schemes are kept as they are)."""
    if not url:
        return None
    parts = urlsplit(url)
    return unquote(parts.path) if parts.scheme == "file" else url


def _track_from(item: dict) -> Track:
    duration = item.get("duration")
    return Track(
        id=str(item["id"]),
        title=str(item.get("title") or ""),
        artist=str(item.get("artist") or ""),
        album=str(item.get("album") or ""),
        album_artist=str(item.get("albumartist") or item.get("artist") or ""),
        duration_seconds=float(duration) if duration not in (None, "") else None,
        year=year_from(item.get("year")),
        path=_path_from_url(item.get("url")),
        album_id=str(item["album_id"]) if item.get("album_id") not in (None, "") else None,
        artist_id=str(item["artist_id"]) if item.get("artist_id") not in (None, "") else None,
    )
