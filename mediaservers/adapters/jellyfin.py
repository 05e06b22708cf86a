"""Jellyfin and Emby: one REST API family, two dialects.

Both page ``Items`` queries with StartIndex/Limit and return per-user play data
in ``UserData`` (PlayCount, LastPlayedDate). The dialects differ in:

==================  =======================================  ================================
                    Jellyfin (10.10 / 10.11 OpenAPI)         Emby (4.x, embyclient)
==================  =======================================  ================================
auth header         Authorization: MediaBrowser Token="..."  X-Emby-Token: ...
path prefix         none                                     /emby
items               GET /Items?userId=...                    GET /Users/{id}/Items
libraries (views)   GET /UserViews?userId=...                GET /Users/{id}/Views
users               GET /Users (a list)                      GET /Users/Query (a query result)
create playlist     POST /Playlists, JSON CreatePlaylistDto  POST /Playlists?Name=&Ids=&MediaType=&UserId=
item ids            32 hex digits                            decimal numbers
==================  =======================================  ================================

Jellyfin still serves the older /Users/{id}/Items routes but its OpenAPI spec
lists only the ones above, so those are what we use. ProductionYear,
AlbumArtist, RunTimeTicks and UserData are always returned; only Path,
DateCreated and ChildCount must be asked for in ``Fields``.

A playlist belongs to the ``UserId`` it is created for. Someone's own token
may create playlists only for themselves; the server's (admin) API key for
anyone, which is how a user id without a token is served.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from mediaservers.adapters.base import Capability, MediaServerAdapter, MediaServerUser
from mediaservers.adapters.http import HttpClient
from mediaservers.adapters.records import Album, PlaylistInfo, PlayRecord, Track, parse_datetime
from mediaservers.errors import IncompleteUserCredentials, MediaServerConfigError, MediaServerNotFound

PAGE_SIZE = 500
TICKS_PER_SECOND = 10_000_000
TRACK_FIELDS = "Path,DateCreated"
TRACK_ORDER = "ParentIndexNumber,IndexNumber,SortName"
_GUID = re.compile(r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})$")


class JellyfinFamilyAdapter(MediaServerAdapter):
    """Shared logic; subclasses supply routes and the auth header."""

    product: ClassVar[str]
    static_capabilities = frozenset(
        {
            Capability.DOWNLOAD,
            Capability.PLAYLISTS,
            Capability.PER_USER_PLAYLISTS,
            Capability.PLAY_HISTORY,
            Capability.PER_USER_HISTORY,
        }
    )

    def __init__(self, config, *, url: str, user: str, token: str, api_prefix: str = ""):
        super().__init__(config)
        if not url or not token or not user:
            raise MediaServerConfigError(f"{self.product} needs its URL, USER_ID and TOKEN settings")
        self.http = HttpClient(
            base_url=url + api_prefix,
            server=self.product,
            timeout=config.timeout_seconds,
            headers=self.auth_headers(token),
        )
        self._configured_user = user
        self._user_id: str | None = None

    # -- dialect -------------------------------------------------------------

    def auth_headers(self, token: str) -> dict[str, str]:
        raise NotImplementedError

    def items_route(self, user_id: str) -> tuple[str, dict[str, str]]:
        raise NotImplementedError

    def views_route(self, user_id: str) -> tuple[str, dict[str, str]]:
        raise NotImplementedError

    def list_users(self) -> list[dict]:
        raise NotImplementedError

    def post_playlist(self, name: str, track_ids: list[str], *, user_id: str, headers: dict | None) -> str:
        """Create the playlist owned by ``user_id``; ``headers`` replace the server's token."""
        raise NotImplementedError

    # -- plumbing -------------------------------------------------------------

    @property
    def display_url(self) -> str:
        return self.http.base_url

    @property
    def user_id(self) -> str:
        """JELLYFIN_USER_ID / EMBY_USER_ID may hold a user name; it is resolved once."""
        if self._user_id is None:
            self._user_id = self.resolve_user_id(self._configured_user)
        return self._user_id

    def resolve_user_id(self, name_or_id: str) -> str:
        if _GUID.match(name_or_id):
            return name_or_id
        for user in self.list_users():
            if str(user.get("Name", "")).casefold() == name_or_id.casefold():
                return str(user["Id"])
        raise MediaServerNotFound(f"{self.product} has no user named {name_or_id!r}")

    def _acting_as(self, user: MediaServerUser) -> tuple[str, dict | None]:
        """The user's id and the headers carrying their token (None: the server's own token)."""
        identifier = user.user_id or user.username
        if not identifier:
            raise IncompleteUserCredentials(f"{self.product} needs the user's id or name")
        headers = self.auth_headers(user.token) if user.token else None
        return self.resolve_user_id(identifier), headers

    def _query_items(self, params: dict[str, Any], *, user_id: str, headers: dict | None = None) -> dict:
        path, route_params = self.items_route(user_id)
        return self.http.get_json(path, params={**route_params, **params}, headers=headers) or {}

    def _paged_items(
        self,
        params: dict[str, Any],
        *,
        limit: int | None = None,
        user_id: str | None = None,
        headers: dict | None = None,
    ) -> Iterator[dict]:
        """Yield items page by page: one request per PAGE_SIZE items, never per item."""
        uid = user_id or self.user_id
        start = 0
        while limit is None or start < limit:
            size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - start)
            body = self._query_items({**params, "StartIndex": start, "Limit": size}, user_id=uid, headers=headers)
            items = body.get("Items") or []
            yield from items
            start += len(items)
            total = body.get("TotalRecordCount")
            if len(items) < size or (total is not None and start >= total):
                return

    def _music_views(self) -> list[dict]:
        path, params = self.views_route(self.user_id)
        views = (self.http.get_json(path, params=params) or {}).get("Items") or []
        return [view for view in views if str(view.get("CollectionType", "")).lower() == "music"]

    def _parent_ids(self) -> list[str | None]:
        """The music views named in MUSIC_LIBRARIES, or [None] for the whole library."""
        wanted = self.config.music_libraries
        if not wanted:
            return [None]
        views = {str(view.get("Name", "")).casefold(): str(view["Id"]) for view in self._music_views()}
        missing = [name for name in wanted if name.casefold() not in views]
        if missing:
            available = ", ".join(sorted(views)) or "none"
            raise MediaServerNotFound(f"{self.product} has no music library {missing}; available: {available}")
        return [views[name.casefold()] for name in wanted]

    def _each_library(self, params: dict[str, Any], *, limit: int | None = None) -> list[Iterator[dict]]:
        return [
            self._paged_items({**params, **({"ParentId": parent} if parent else {})}, limit=limit)
            for parent in self._parent_ids()
        ]

    # -- library -------------------------------------------------------------------

    def libraries(self) -> list[str]:
        names = [str(view.get("Name", "")) for view in self._music_views()]
        wanted = {name.casefold() for name in self.config.music_libraries}
        return [name for name in names if not wanted or name.casefold() in wanted]

    def _iter_albums(self, *, recent: int | None) -> Iterator[Album]:
        params = {"IncludeItemTypes": "MusicAlbum", "Recursive": "true", "Fields": TRACK_FIELDS}
        if recent is None:
            params.update(SortBy="SortName", SortOrder="Ascending")
            items = itertools.chain.from_iterable(self._each_library(params))
        else:
            params.update(SortBy="DateCreated,SortName", SortOrder="Descending")
            pages = self._each_library(params, limit=recent)
            # several libraries: merge their newest-first streams, keep the newest overall
            merged = heapq.merge(*pages, key=lambda item: item.get("DateCreated") or "", reverse=True)
            items = itertools.islice(merged, recent)
        for item in items:
            yield _album_from(item)

    def count_albums(self) -> int:
        total = 0
        for parent in self._parent_ids():
            params = {"IncludeItemTypes": "MusicAlbum", "Recursive": "true", "Limit": 0}
            if parent:
                params["ParentId"] = parent
            total += int(self._query_items(params, user_id=self.user_id).get("TotalRecordCount") or 0)
        return total

    def album_tracks(self, album_id: str) -> list[Track]:
        params = {
            "ParentId": album_id,
            "IncludeItemTypes": "Audio",
            "Recursive": "true",
            "Fields": TRACK_FIELDS,
            "SortBy": TRACK_ORDER,
            "SortOrder": "Ascending",
        }
        return [_track_from(item) for item in self._paged_items(params)]

    def iter_tracks(self) -> Iterator[Track]:
        params = {"IncludeItemTypes": "Audio", "Recursive": "true", "Fields": TRACK_FIELDS, "SortBy": "SortName"}
        for item in itertools.chain.from_iterable(self._each_library(params)):
            yield _track_from(item)

    def _download_track(self, track, dest_dir):
        cap = self.config.max_download_bytes
        return self.http.download(f"/Items/{track.id}/Download", dest_dir=dest_dir, max_bytes=cap, name_hint=track.path)

    # -- playlists -------------------------------------------------------------

    def _list_playlists(self) -> list[PlaylistInfo]:
        params = {"IncludeItemTypes": "Playlist", "Recursive": "true", "Fields": "ChildCount", "SortBy": "SortName"}
        return [
            PlaylistInfo(id=str(item["Id"]), name=str(item.get("Name", "")), track_count=item.get("ChildCount"))
            for item in self._paged_items(params)
        ]

    def _create_playlist(self, name: str, track_ids: list[str]) -> str:
        return self.post_playlist(name, track_ids, user_id=self.user_id, headers=None)

    def _create_user_playlist(self, name: str, track_ids: list[str], user: MediaServerUser) -> str:
        user_id, headers = self._acting_as(user)
        return self.post_playlist(name, track_ids, user_id=user_id, headers=headers)

    def _delete_playlist(self, playlist_id: str) -> None:
        self.http.send_json("DELETE", f"/Items/{playlist_id}")

    # -- history ----------------------------------------------------------------

    def _play_history(self, *, limit: int, user: MediaServerUser | None) -> list[PlayRecord]:
        user_id, headers = self._acting_as(user) if user is not None else (self.user_id, None)
        params = {
            "IncludeItemTypes": "Audio",
            "Recursive": "true",
            "Filters": "IsPlayed",
            "SortBy": "PlayCount,DatePlayed",
            "SortOrder": "Descending",
        }
        items = self._paged_items(params, limit=limit, user_id=user_id, headers=headers)
        return [_play_record_from(item) for item in items]

    def close(self) -> None:
        self.http.close()


class JellyfinAdapter(JellyfinFamilyAdapter):
    server_type = "jellyfin"
    product = "Jellyfin"

    def __init__(self, config):
        super().__init__(config, url=config.jellyfin_url, user=config.jellyfin_user_id, token=config.jellyfin_token)

    def auth_headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": f'MediaBrowser Client="AudioMuse", Device="AudioMuse", '
            f'DeviceId="audiomuse", Version="1.0", Token="{token}"'
        }

    def items_route(self, user_id):
        return "/Items", {"userId": user_id}

    def views_route(self, user_id):
        return "/UserViews", {"userId": user_id}

    def list_users(self) -> list[dict]:
        return self.http.get_json("/Users") or []

    def post_playlist(self, name: str, track_ids: list[str], *, user_id: str, headers: dict | None) -> str:
        body = {"Name": name, "Ids": track_ids, "UserId": user_id, "MediaType": "Audio"}
        return str(self.http.send_json("POST", "/Playlists", json=body, headers=headers)["Id"])


class EmbyAdapter(JellyfinFamilyAdapter):
    server_type = "emby"
    product = "Emby"

    def __init__(self, config):
        super().__init__(
            config, url=config.emby_url, user=config.emby_user_id, token=config.emby_token, api_prefix="/emby"
        )

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"X-Emby-Token": token}

    def items_route(self, user_id):
        return f"/Users/{user_id}/Items", {}

    def views_route(self, user_id):
        return f"/Users/{user_id}/Views", {}

    def list_users(self) -> list[dict]:
        return (self.http.get_json("/Users/Query") or {}).get("Items") or []

    def post_playlist(self, name: str, track_ids: list[str], *, user_id: str, headers: dict | None) -> str:
        params = {"Name": name, "Ids": ",".join(track_ids), "MediaType": "Audio", "UserId": user_id}
        return str(self.http.send_json("POST", "/Playlists", params=params, headers=headers)["Id"])


def _album_from(item: dict) -> Album:
    return Album(
        id=str(item["Id"]),
        name=str(item.get("Name") or ""),
        artist=str(item.get("AlbumArtist") or ", ".join(item.get("Artists") or [])),
        year=item.get("ProductionYear"),
        created_at=parse_datetime(item.get("DateCreated")),
    )


def _track_from(item: dict) -> Track:
    artists = item.get("Artists") or []
    ticks = item.get("RunTimeTicks")
    return Track(
        id=str(item["Id"]),
        title=str(item.get("Name") or ""),
        artist=str(artists[0] if artists else item.get("AlbumArtist") or ""),
        album=str(item.get("Album") or ""),
        album_artist=str(item.get("AlbumArtist") or ""),
        duration_seconds=ticks / TICKS_PER_SECOND if ticks else None,
        year=item.get("ProductionYear"),
        path=item.get("Path"),
        album_id=str(item["AlbumId"]) if item.get("AlbumId") else None,
        artist_id=_first_id(item.get("ArtistItems")) or _first_id(item.get("AlbumArtists")),
    )


def _first_id(pairs: object) -> str | None:
    """The Id of the first {Name, Id} pair of ArtistItems / AlbumArtists, if any."""
    if isinstance(pairs, list) and pairs and isinstance(pairs[0], dict) and pairs[0].get("Id"):
        return str(pairs[0]["Id"])
    return None


def _play_record_from(item: dict) -> PlayRecord:
    data = item.get("UserData") or {}
    track = _track_from(item)
    return PlayRecord(
        track_id=track.id,
        play_count=int(data.get("PlayCount") or 0),
        last_played=parse_datetime(data.get("LastPlayedDate")),
        title=track.title,
        artist=track.artist,
    )
