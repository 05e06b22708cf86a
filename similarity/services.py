"""Writes of the similarity app: building and publishing the vector index, creating playlists."""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import redis
from django.db import connection, transaction

from analysis.models import EMBEDDING_DIMENSIONS, Embedding, Track
from clustering.models import Playlist, PlaylistEntry, PlaylistOrigin
from common.config import setting
from mediaservers.adapters import Capability, MediaServerUser
from mediaservers.errors import MediaServerError
from similarity.engine.vector_index import IndexParams, build_index_bytes
from similarity.errors import InvalidSimilarityRequest
from similarity.media import media_server
from similarity.models import VectorIndex

logger = logging.getLogger(__name__)

RELOAD_CHANNEL = "audiomuse:index-updates"


def vector_index_rebuild(*, name: str | None = None) -> VectorIndex | None:
    """Build the index from every stored embedding, store it, tell all processes.

    Returns None (and removes a stored index) when there are no embeddings.
    """
    name = name or setting("INDEX_NAME")
    started = time.monotonic()
    item_ids, vectors = _all_embeddings()
    with transaction.atomic():
        if not item_ids:
            VectorIndex.objects.filter(name=name).delete()
            stored = None
        else:
            params = IndexParams(m=setting("VOYAGER_M"), ef_construction=setting("VOYAGER_EF_CONSTRUCTION"))
            stored = _store(name, build_index_bytes(vectors, params=params), item_ids, time.monotonic() - started)
        transaction.on_commit(lambda: index_reload_publish(name=name))
    logger.info("similarity.index.rebuilt", extra={"index": name, "size": len(item_ids)})
    return stored


def vector_index_rebuild_on_library_change(**_signal_kwargs) -> None:
    """Receiver of analysis' ``library_changed``: searches see the tracks as they are now."""
    vector_index_rebuild()


def _all_embeddings() -> tuple[list[str], np.ndarray]:
    """Every (item_id, vector), read in chunks so a large library never sits in one result set."""
    rows = Embedding.objects.order_by("track_id").values_list("track__item_id", "vector")
    item_ids: list[str] = []
    chunks: list[np.ndarray] = []
    batch: list[np.ndarray] = []
    for item_id, vector in rows.iterator(chunk_size=setting("DB_FETCH_CHUNK_SIZE")):
        item_ids.append(item_id)
        batch.append(np.asarray(vector, dtype=np.float32))
        if len(batch) >= setting("DB_FETCH_CHUNK_SIZE"):
            chunks.append(np.stack(batch))
            batch = []
    if batch:
        chunks.append(np.stack(batch))
    vectors = np.concatenate(chunks) if chunks else np.empty((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
    return item_ids, vectors


def _store(name: str, data: bytes, item_ids: list[str], seconds: float) -> VectorIndex:
    current = VectorIndex.objects.select_for_update().filter(name=name).first()
    version = current.version + 1 if current else 1
    stored, _ = VectorIndex.objects.update_or_create(
        name=name,
        defaults={
            "data": data,
            "item_ids": item_ids,
            "dimensions": EMBEDDING_DIMENSIONS,
            "size": len(item_ids),
            "version": version,
            "build_seconds": round(seconds, 3),
        },
    )
    return stored


def index_reload_publish(*, name: str) -> None:
    """Tell every process to load the new index; a lost message is caught by the version check."""
    try:
        client = redis.Redis.from_url(setting("REDIS_URL"), socket_timeout=5)
        client.publish(RELOAD_CHANNEL, name)
    except redis.RedisError as exc:
        logger.warning("similarity.index.publish_failed", extra={"index": name, "error": str(exc)})


# -- playlists -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaylistCreated:
    playlist: Playlist
    mapped: int  # tracks sent to the media server
    skipped: int  # ids dropped: unknown to the library or repeated


# Clustering replaces every playlist whose name ends so; the separators are the characters a folder
# library turns into "_" in file names (mediaservers.adapters.local), so "Chill:automatic" is refused too.
RESERVED_NAME = re.compile(r"""[_/\\:*?"<>|]automatic$""", re.IGNORECASE)


def playlist_create(
    *, name: str, item_ids: Sequence[str], origin: str = PlaylistOrigin.MANUAL, user: MediaServerUser | None = None
) -> PlaylistCreated:
    """Create (or replace) the owner's playlist of this name on the media server and in our table, together.

    ``user``: create it as (and for) that user where playlists have owners, else as the configured user.
    A second playlist of the same name and owner replaces the first in place: one row, one playlist.
    Ids we do not know are skipped; InvalidSimilarityRequest when the name is unusable or reserved for
    clustering, when no known track is left, or when ``user`` lacks what the server needs.
    """
    if origin == PlaylistOrigin.CLUSTERING:
        raise ValueError("clustering playlists are written by clustering.services only")
    name = _playlist_name_checked(name)
    unique_ids = list(dict.fromkeys(item_id for item_id in item_ids if item_id))
    tracks = Track.objects.in_bulk(unique_ids, field_name="item_id")
    mapped = [item_id for item_id in unique_ids if item_id in tracks]
    if not mapped:
        raise InvalidSimilarityRequest("None of the track_ids is a track of the library")
    with media_server() as adapter:
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
        "similarity.playlist.created",
        extra={"playlist": playlist.pk, "tracks": len(mapped), "origin": origin, "replaced": previous is not None},
    )
    return PlaylistCreated(playlist=playlist, mapped=len(mapped), skipped=len(item_ids) - len(mapped))


def _playlist_name_checked(name: str) -> str:
    """The name, stripped; checked before the media server is touched, so a refusal leaves nothing behind."""
    name = name.strip()
    if not name:
        raise InvalidSimilarityRequest("playlist_name is required")
    name_limit = Playlist._meta.get_field("name").max_length
    if len(name) > name_limit:
        raise InvalidSimilarityRequest(f"playlist_name is longer than {name_limit} characters")
    if any(unicodedata.category(character) == "Cc" for character in name):
        raise InvalidSimilarityRequest("playlist_name must not contain control characters (newlines, tabs, NUL)")
    if RESERVED_NAME.search(name):
        raise InvalidSimilarityRequest("playlist names ending in _automatic are reserved for clustering playlists")
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
        logger.warning("similarity.playlist.replaced_not_deleted", extra={"playlist_id": server_id, "error": str(exc)})
