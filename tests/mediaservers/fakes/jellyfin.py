"""Fake Jellyfin (10.10/10.11 routes) and Emby (4.x /emby routes) servers.

They serve a Catalog with the real routes, auth headers, StartIndex/Limit
paging, per-user UserData and the JSON shapes of the servers; every JSON body
is checked against Jellyfin's OpenAPI models or embyclient's swagger models
(see schemas.py) before it is sent, and Jellyfin query enums (Fields, SortBy,
Filters, IncludeItemTypes) are checked against the spec's enums, answering
400 like ASP.NET does for an unknown value.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from jellyfin.generated.api_10_11.models.base_item_kind import BaseItemKind
from jellyfin.generated.api_10_11.models.item_fields import ItemFields
from jellyfin.generated.api_10_11.models.item_filter import ItemFilter
from jellyfin.generated.api_10_11.models.item_sort_by import ItemSortBy

from tests.mediaservers.fakes.catalog import Catalog, FakeAlbum, FakeTrack
from tests.mediaservers.fakes.schemas import check_emby, check_jellyfin
from tests.mediaservers.fakes.server import FakeHttpServer, Request, Response, file_response, json_response

TICKS_PER_SECOND = 10_000_000
SERVER_ID = "0123456789abcdef0123456789abcdef"
_TOKEN = re.compile(r'Token="([^"]*)"')
_ENUMS = {"Fields": ItemFields, "SortBy": ItemSortBy, "Filters": ItemFilter, "IncludeItemTypes": BaseItemKind}


@dataclass
class FakeUser:
    name: str
    id: str
    token: str
    admin: bool


@dataclass
class FakePlaylist:
    id: str
    name: str
    owner_id: str
    track_ids: list[str]


def _hex_id(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def dotnet_time(moment: datetime) -> str:
    """.NET's round-trip format: seven fractional digits and a Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


class FakeJellyfin(FakeHttpServer):
    product = "jellyfin"
    prefix = ""
    api_key = "jellyfin-api-key"

    def serve_as(self, settings, user: str = "alice") -> None:
        """Make this fake the configured media server (pytest-django ``settings``), as ``user`` with the API key."""
        prefix = self.product.upper()
        settings.MEDIASERVER_TYPE = self.product
        setattr(settings, f"{prefix}_URL", self.url)
        setattr(settings, f"{prefix}_USER_ID", user)
        setattr(settings, f"{prefix}_TOKEN", self.api_key)

    def __init__(self, catalog: Catalog, *, validate: bool = True):
        super().__init__()
        self.catalog = catalog
        self.validate = validate
        self.artist_ids: dict[str, str] = {}
        self.users = {
            "alice": FakeUser("alice", self.new_id("user:alice"), "alice-token", admin=True),
            "bob": FakeUser("bob", self.new_id("user:bob"), "bob-token", admin=False),
        }
        self.album_ids = {album.key: self.new_id(f"album:{album.key}") for album in catalog.albums}
        self.track_ids = {track.key: self.new_id(f"track:{track.key}") for track in catalog.tracks}
        self.albums_by_id = {self.album_ids[album.key]: album for album in catalog.albums}
        self.tracks_by_id = {self.track_ids[track.key]: track for track in catalog.tracks}
        self.views = {self.new_id(f"view:{name}"): name for name in catalog.libraries}
        self.views[self.new_id("view:Movies")] = "Movies"
        self.playlists: dict[str, FakePlaylist] = {}
        self.plays: dict[str, dict[str, tuple[int, datetime]]] = {user.id: {} for user in self.users.values()}
        self._playlist_counter = 0
        self.add_routes()

    # -- dialect hooks (Emby overrides) ----------------------------------------

    def new_id(self, seed: str) -> str:
        return _hex_id(seed)

    def artist_id(self, name: str) -> str:
        """One id per artist name, the same on every call (Emby numbers them on first sight)."""
        if name not in self.artist_ids:
            self.artist_ids[name] = self.new_id(f"artist:{name}")
        return self.artist_ids[name]

    def add_routes(self) -> None:
        self.route("GET", "/Users", self.get_users)
        self.route("GET", "/UserViews", lambda r: self.get_views(r, r.param("userId", ignore_case=True)))
        self.route("GET", "/Items", lambda r: self.get_items(r, r.param("userId", ignore_case=True)))
        self.route("POST", "/Playlists", self.post_playlist)
        self.route("DELETE", "/Items/(?P<item>[^/]+)", self.delete_item)
        self.route("GET", "/Items/(?P<item>[^/]+)/Download", self.download)

    def token_of(self, request: Request) -> str:
        found = _TOKEN.search(request.header("Authorization"))
        return found.group(1) if found and request.header("Authorization").startswith("MediaBrowser") else ""

    def check_body(self, body: object, model: str) -> None:
        if self.validate:
            check_jellyfin(body, model)

    def check_enums(self, request: Request) -> Response | None:
        for name, enum in _ENUMS.items():
            for value in ",".join(request.params(name, ignore_case=True)).split(","):
                if value and value not in {member.value for member in enum}:
                    return json_response({"title": f"The value '{value}' is not valid for {name}."}, 400)
        return None

    def user_json(self, user: FakeUser) -> dict:
        return {"Name": user.name, "ServerId": SERVER_ID, "Id": user.id, "HasPassword": True}

    def users_body(self) -> object:
        body = [self.user_json(user) for user in self.users.values()]
        self.check_body(body, "List[UserDto]")
        return body

    def playlist_created(self, playlist: FakePlaylist) -> dict:
        body = {"Id": playlist.id}
        self.check_body(body, "PlaylistCreationResult")
        return body

    def query_result(self, items: list[dict], total: int, start: int) -> dict:
        body = {"Items": items, "TotalRecordCount": total, "StartIndex": start}
        self.check_body(body, "BaseItemDtoQueryResult")
        return body

    # -- auth -------------------------------------------------------------------

    def caller(self, request: Request) -> FakeUser | Response | None:
        """The user behind the token, None for the admin API key, or a 401 response."""
        token = self.token_of(request)
        if token == self.api_key:
            return None
        for user in self.users.values():
            if token and token == user.token:
                return user
        return Response(401, b"")

    def acting_user(self, request: Request, user_id: str | None) -> FakeUser | Response:
        caller = self.caller(request)
        if isinstance(caller, Response):
            return caller
        user = next((u for u in self.users.values() if u.id == user_id), None)
        if user is None:
            return Response(400 if not user_id else 404, b"unknown user")
        if caller is not None and caller.id != user.id and not caller.admin:
            return Response(403, b"")
        return user

    # -- routes -------------------------------------------------------------------

    def get_users(self, request: Request) -> Response:
        caller = self.caller(request)
        if isinstance(caller, Response):
            return caller
        if caller is not None and not caller.admin:
            return Response(403, b"")
        return json_response(self.users_body())

    def get_views(self, request: Request, user_id: str | None) -> Response:
        user = self.acting_user(request, user_id)
        if isinstance(user, Response):
            return user
        items = [self.view_json(view_id, name) for view_id, name in self.views.items()]
        return json_response(self.query_result(items, len(items), 0))

    def view_json(self, view_id: str, name: str) -> dict:
        kind = "movies" if name == "Movies" else "music"
        return {"Name": name, "ServerId": SERVER_ID, "Id": view_id, "CollectionType": kind, "Type": "CollectionFolder"}

    def get_items(self, request: Request, user_id: str | None) -> Response:
        user = self.acting_user(request, user_id)
        if isinstance(user, Response):
            return user
        invalid = self.check_enums(request)
        if invalid is not None:
            return invalid
        matches = self.sorted_items(request, self.matching_items(request, user), user)
        start = int(request.param("StartIndex", "0", ignore_case=True))
        limit = request.param("Limit", None, ignore_case=True)
        page = matches[start : start + int(limit)] if limit is not None else matches[start:]
        fields = set(",".join(request.params("Fields", ignore_case=True)).split(","))
        items = [self.item_json(item, user, fields) for item in page]
        return json_response(self.query_result(items, len(matches), start))

    def matching_items(self, request: Request, user: FakeUser) -> list:
        kinds = set(",".join(request.params("IncludeItemTypes", ignore_case=True)).split(","))
        parent = request.param("ParentId", ignore_case=True)
        found: list = []
        if "MusicAlbum" in kinds:
            found += [a for a in self.catalog.albums if self.in_parent(a, parent)]
        if "Audio" in kinds:
            found += [t for t in self.catalog.tracks if self.in_parent(t, parent)]
        if "Playlist" in kinds:
            found += [p for p in self.playlists.values() if p.owner_id == user.id]
        if "IsPlayed" in ",".join(request.params("Filters", ignore_case=True)):
            found = [item for item in found if self.plays[user.id].get(self.id_of(item))]
        return found

    def in_parent(self, item: FakeAlbum | FakeTrack, parent: str | None) -> bool:
        if parent is None:
            return True
        if parent in self.views:
            album = item if isinstance(item, FakeAlbum) else self.catalog.albums[item.album_key]
            return album.library == self.views[parent]
        return isinstance(item, FakeTrack) and self.album_ids[item.album_key] == parent

    def id_of(self, item: object) -> str:
        if isinstance(item, FakeAlbum):
            return self.album_ids[item.key]
        if isinstance(item, FakeTrack):
            return self.track_ids[item.key]
        return item.id

    def sorted_items(self, request: Request, items: list, user: FakeUser) -> list:
        keys = [key for key in ",".join(request.params("SortBy", ignore_case=True)).split(",") if key]
        orders = ",".join(request.params("SortOrder", ignore_case=True)).split(",")
        for position in reversed(range(len(keys))):  # stable sorts, last key first
            order = orders[min(position, len(orders) - 1)]
            items = sorted(
                items, key=lambda item, k=keys[position]: self.sort_value(item, k, user), reverse=order == "Descending"
            )
        return items

    def sort_value(self, item: object, key: str, user: FakeUser) -> object:
        count, played = self.plays[user.id].get(self.id_of(item), (0, None))
        values = {
            "SortName": getattr(item, "name", None) or getattr(item, "title", ""),
            "DateCreated": item.created if hasattr(item, "created") else datetime.min,
            "PlayCount": count,
            "DatePlayed": played.isoformat() if played else "",
            "IndexNumber": getattr(item, "track_number", 0) or 0,
            "ParentIndexNumber": 1,
        }
        value = values.get(key, "")
        return value.isoformat() if isinstance(value, datetime) else value

    # -- item shapes ------------------------------------------------------------------

    def item_json(self, item: object, user: FakeUser, fields: set[str]) -> dict:
        if isinstance(item, FakeAlbum):
            return self.album_json(item, user, fields)
        if isinstance(item, FakeTrack):
            return self.track_json(item, user, fields)
        body = {"Name": item.name, "ServerId": SERVER_ID, "Id": item.id, "IsFolder": True, "Type": "Playlist"}
        body["MediaType"] = "Audio"
        if "ChildCount" in fields:
            body["ChildCount"] = len(item.track_ids)
        return body

    def album_json(self, album: FakeAlbum, user: FakeUser, fields: set[str]) -> dict:
        body = {
            "Name": album.name,
            "ServerId": SERVER_ID,
            "Id": self.album_ids[album.key],
            "IsFolder": True,
            "Type": "MusicAlbum",
            "UserData": self.user_data(self.album_ids[album.key], user),
            "Artists": [album.artist] if album.artist else [],
            "AlbumArtist": album.artist,
            "AlbumArtists": [{"Name": album.artist, "Id": self.artist_id(album.artist)}],
            "LocationType": "FileSystem",
        }
        if album.year:
            body["ProductionYear"] = album.year
        if "DateCreated" in fields:
            body["DateCreated"] = dotnet_time(album.created)
        if "Path" in fields and album.tracks[0].path:
            body["Path"] = str(album.tracks[0].path.parent)
        return body

    def track_json(self, track: FakeTrack, user: FakeUser, fields: set[str]) -> dict:
        track_id = self.track_ids[track.key]
        body = {
            "Name": track.title,
            "ServerId": SERVER_ID,
            "Id": track_id,
            "RunTimeTicks": int(track.duration_seconds * TICKS_PER_SECOND),
            "IsFolder": False,
            "Type": "Audio",
            "UserData": self.user_data(track_id, user),
            "Artists": [track.artist] if track.artist else [],
            "ArtistItems": [{"Name": track.artist, "Id": self.artist_id(track.artist)}] if track.artist else [],
            "Album": track.album,
            "AlbumId": self.album_ids[track.album_key],
            "AlbumArtist": track.album_artist,
            "AlbumArtists": [{"Name": track.album_artist, "Id": self.artist_id(track.album_artist)}]
            if track.album_artist
            else [],
            "MediaType": "Audio",
            "LocationType": "FileSystem",
        }
        if track.track_number:
            body["IndexNumber"] = track.track_number
        if track.year:
            body["ProductionYear"] = track.year
        if "DateCreated" in fields:
            body["DateCreated"] = dotnet_time(track.created)
        if "Path" in fields and track.path:
            body["Path"] = str(track.path)
        return body

    def user_data(self, item_id: str, user: FakeUser) -> dict:
        count, played = self.plays[user.id].get(item_id, (0, None))
        data = {"PlaybackPositionTicks": 0, "PlayCount": count, "IsFavorite": False, "Played": count > 0}
        data.update(Key=item_id, ItemId=item_id)
        if played:
            data["LastPlayedDate"] = dotnet_time(played)
        return data

    # -- writes and files ----------------------------------------------------------------

    def create_playlist(self, name: str, ids: list[str], owner: FakeUser) -> FakePlaylist | Response:
        if any(track_id not in self.tracks_by_id for track_id in ids):
            return Response(400, b"unknown item id")
        self._playlist_counter += 1
        playlist = FakePlaylist(self.new_id(f"playlist:{self._playlist_counter}"), name, owner.id, list(ids))
        self.playlists[playlist.id] = playlist
        return playlist

    def post_playlist(self, request: Request) -> Response:
        body = request.json() or {}
        self.check_body(body, "CreatePlaylistDto")  # what the adapter sent must be a valid request too
        owner = self.acting_user(request, body.get("UserId"))
        if isinstance(owner, Response):
            return owner
        playlist = self.create_playlist(body.get("Name", ""), body.get("Ids") or [], owner)
        return playlist if isinstance(playlist, Response) else json_response(self.playlist_created(playlist))

    def delete_item(self, request: Request) -> Response:
        if isinstance(caller := self.caller(request), Response):
            return caller
        if self.playlists.pop(request.match["item"], None) is None:
            return Response(404, b"")
        return Response(204, b"")

    def download(self, request: Request) -> Response:
        if isinstance(caller := self.caller(request), Response):
            return caller
        track = self.tracks_by_id.get(request.match["item"])
        if track is None or track.path is None:
            return Response(404, b"")
        return file_response(track.path, "audio/flac" if track.path.suffix == ".flac" else "audio/mpeg")

    # -- test helpers --------------------------------------------------------------------

    def set_plays(self, user_name: str, title: str, count: int, when: datetime) -> None:
        track_id = self.track_ids[self.catalog.track_by_title(title).key]
        self.plays[self.users[user_name].id][track_id] = (count, when)

    def playlist_track_ids(self, playlist_id: str) -> list[str]:
        return list(self.playlists[playlist_id].track_ids)


class FakeEmby(FakeJellyfin):
    product = "emby"
    prefix = "/emby"
    api_key = "emby-api-key"

    def __init__(self, catalog: Catalog, *, validate: bool = True):
        self._next_number = 1000
        super().__init__(catalog, validate=validate)

    def new_id(self, seed: str) -> str:
        if seed.startswith("user:"):
            return _hex_id(seed)  # Emby user ids are GUIDs, item ids are numbers
        self._next_number += 1
        return str(self._next_number)

    def add_routes(self) -> None:
        self.route("GET", "/emby/Users/Query", self.get_users)
        self.route("GET", "/emby/Users/(?P<user>[^/]+)/Views", lambda r: self.get_views(r, r.match["user"]))
        self.route("GET", "/emby/Users/(?P<user>[^/]+)/Items", lambda r: self.get_items(r, r.match["user"]))
        self.route("POST", "/emby/Playlists", self.post_playlist)
        self.route("DELETE", "/emby/Items/(?P<item>[^/]+)", self.delete_item)
        self.route("GET", "/emby/Items/(?P<item>[^/]+)/Download", self.download)

    def token_of(self, request: Request) -> str:
        return request.header("X-Emby-Token") or request.param("api_key", "")

    def check_body(self, body: object, model: str) -> None:
        if self.validate:
            check_emby(body, model)

    def check_enums(self, request: Request) -> Response | None:
        return None  # Emby ignores values it does not know

    def users_body(self) -> object:
        users = [self.user_json(user) for user in self.users.values()]
        body = {"Items": users, "TotalRecordCount": len(users)}
        self.check_body(body, "QueryResultUserDto")
        return body

    def playlist_created(self, playlist: FakePlaylist) -> dict:
        body = {"Id": playlist.id, "Name": playlist.name, "ItemAddedCount": len(playlist.track_ids)}
        self.check_body(body, "PlaylistsPlaylistCreationResult")
        return body

    def query_result(self, items: list[dict], total: int, start: int) -> dict:
        body = {"Items": items, "TotalRecordCount": total}  # Emby sends no StartIndex
        self.check_body(body, "QueryResultBaseItemDto")
        return body

    def post_playlist(self, request: Request) -> Response:
        owner = self.acting_user(request, request.param("UserId"))
        if isinstance(owner, Response):
            return owner
        ids = [value for value in (request.param("Ids") or "").split(",") if value]
        playlist = self.create_playlist(request.param("Name") or "", ids, owner)
        return playlist if isinstance(playlist, Response) else json_response(self.playlist_created(playlist))
