"""The one write path of playlists: the media server's playlist and our row are written together."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction

from analysis.models import Track
from mediaservers.adapters import Capability, MediaServerAdapter, MediaServerUser
from mediaservers.errors import MediaServerError
from playlists.errors import InvalidPlaylist
from playlists.models import Playlist, PlaylistEntry, PlaylistOrigin

logger = logging.getLogger(__name__)

# The latest clustering set is shown; the one before is kept as history; older sets go.
CLUSTERING_SETS_KEPT = 2


@dataclass(frozen=True)
class PlaylistCreated:
    playlist: Playlist
    mapped: int  # tracks sent to the media server
    skipped: int  # ids dropped: unknown to the library or repeated


# Clustering replaces every playlist whose name ends so; the separators are the characters a folder
# library turns into "_" in file names (mediaservers.adapters.local), so "Chill:automatic" is refused too.
RESERVED_NAME = re.compile(r"""[_/\\:*?"<>|]automatic$""", re.IGNORECASE)


def playlist_create(
    *,
    adapter: MediaServerAdapter,
    name: str,
    item_ids: Sequence[str],
    origin: str = PlaylistOrigin.MANUAL,
    user: MediaServerUser | None = None,
) -> PlaylistCreated:
    """Create (or replace) the owner's playlist of this name on the media server and in our table, together.

    ``user``: create it as (and for) that user where playlists have owners, else as the configured user.
    A second playlist of the same name and owner replaces the first in place: one row, one playlist.
    Ids we do not know are skipped; InvalidPlaylist when the name is unusable or reserved for
    clustering, or when no known track is left. The adapter's own errors pass through.
    """
    if origin == PlaylistOrigin.CLUSTERING:
        raise ValueError("clustering playlists are written by clustering_set_record only")
    name = _playlist_name_checked(name)
    unique_ids = list(dict.fromkeys(item_id for item_id in item_ids if item_id))
    tracks = Track.objects.in_bulk(unique_ids, field_name="item_id")
    mapped = [item_id for item_id in unique_ids if item_id in tracks]
    if not mapped:
        raise InvalidPlaylist("None of the track_ids is a track of the library")
    owner = _playlist_owner(adapter, user)
    # One writer per (owner, name) at a time, so two simultaneous posts cannot leave two rows.
    with transaction.atomic():
        _playlist_name_lock(owner=owner, name=name)
        previous = Playlist.objects.filter(owner=owner, name=name).exclude(origin=PlaylistOrigin.CLUSTERING).first()
        replaced_id = previous.mediaserver_playlist_id if previous is not None else ""
        server_id = str(adapter.create_playlist(name, mapped, user=user))
        try:
            playlist = _playlist_row_save(
                previous=previous, name=name, owner=owner, origin=origin, server_id=server_id,
                tracks=[tracks[item_id] for item_id in mapped],
            )  # fmt: skip
        except Exception:
            if server_id != replaced_id:
                adapter.delete_playlist(server_id)  # no row, so no playlist either
            raise
    if replaced_id not in ("", server_id):
        _replaced_playlist_delete(adapter, replaced_id)
    logger.info(
        "playlists.playlist.created",
        extra={"playlist": playlist.pk, "tracks": len(mapped), "origin": origin, "replaced": previous is not None},
    )
    return PlaylistCreated(playlist=playlist, mapped=len(mapped), skipped=len(item_ids) - len(mapped))


def _playlist_name_checked(name: str) -> str:
    """The name, stripped; checked before the media server is touched, so a refusal leaves nothing behind."""
    name = name.strip()
    if not name:
        raise InvalidPlaylist("playlist_name is required")
    name_limit = Playlist._meta.get_field("name").max_length
    if len(name) > name_limit:
        raise InvalidPlaylist(f"playlist_name is longer than {name_limit} characters")
    if any(unicodedata.category(character) == "Cc" for character in name):
        raise InvalidPlaylist("playlist_name must not contain control characters (newlines, tabs, NUL)")
    if RESERVED_NAME.search(name):
        raise InvalidPlaylist("playlist names ending in _automatic are reserved for clustering playlists")
    return name


def _playlist_owner(adapter, user: MediaServerUser | None) -> str:
    if user is None or Capability.PER_USER_PLAYLISTS not in adapter.capabilities:
        return ""
    return user.user_id or user.username


def _playlist_name_lock(*, owner: str, name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"playlist:{owner}:{name}"])


def _playlist_row_save(
    *, previous: Playlist | None, name: str, owner: str, origin: str, server_id: str, tracks: list[Track]
) -> Playlist:
    if previous is None:
        playlist = Playlist.objects.create(name=name, owner=owner, origin=origin, mediaserver_playlist_id=server_id)
    else:
        playlist = previous
        playlist.origin, playlist.mediaserver_playlist_id = origin, server_id
        playlist.save(update_fields=["origin", "mediaserver_playlist_id"])
        playlist.entries.all().delete()
    # Another name written to the same server playlist (a folder maps "a/b" and "a_b" to one file)
    # is that playlist no more.
    Playlist.objects.filter(mediaserver_playlist_id=server_id).exclude(pk=playlist.pk).exclude(
        origin=PlaylistOrigin.CLUSTERING
    ).delete()
    PlaylistEntry.objects.bulk_create(
        PlaylistEntry(playlist=playlist, track=track, position=position) for position, track in enumerate(tracks)
    )
    return playlist


def _replaced_playlist_delete(adapter, server_id: str) -> None:
    try:
        adapter.delete_playlist(server_id)
    except MediaServerError as exc:  # the new playlist and its row stand; the old one is only clutter
        logger.warning("playlists.playlist.replaced_not_deleted", extra={"playlist_id": server_id, "error": str(exc)})


@dataclass(frozen=True)
class GeneratedPlaylist:
    """A playlist a job has just created on the media server."""

    name: str
    item_ids: tuple[str, ...]
    mediaserver_playlist_id: str


@transaction.atomic
def clustering_set_record(*, run_id: str, created: Sequence[GeneratedPlaylist]) -> list[Playlist]:
    """Record a clustering run's playlists (already on the media server) as the latest set; drop older sets."""
    item_ids = {item_id for playlist in created for item_id in playlist.item_ids}
    track_pk = dict(Track.objects.filter(item_id__in=item_ids).values_list("item_id", "pk"))
    rows = []
    for playlist in created:
        row = Playlist.objects.create(
            name=playlist.name,
            origin=PlaylistOrigin.CLUSTERING,
            mediaserver_playlist_id=playlist.mediaserver_playlist_id,
            task_id=run_id,
        )
        PlaylistEntry.objects.bulk_create(
            PlaylistEntry(playlist=row, track_id=track_pk[item_id], position=position)
            for position, item_id in enumerate(playlist.item_ids)
            if item_id in track_pk  # a track removed by cleaning meanwhile is simply left out
        )
        rows.append(row)
    _old_clustering_sets_delete()
    return rows


def _old_clustering_sets_delete() -> None:
    """Drop clustering sets older than the latest CLUSTERING_SETS_KEPT runs."""
    clustering = Playlist.objects.filter(origin=PlaylistOrigin.CLUSTERING)
    task_ids = []
    for task_id in clustering.order_by("-created_at", "-pk").values_list("task_id", flat=True):
        if task_id not in task_ids:
            task_ids.append(task_id)
    stale = task_ids[CLUSTERING_SETS_KEPT:]
    if stale:
        clustering.filter(task_id__in=[task_id for task_id in stale if task_id is not None]).delete()
