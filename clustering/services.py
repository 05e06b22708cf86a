"""Writes (services) of the clustering app: committing a job's playlists."""

from __future__ import annotations

import logging

from django.db import transaction

from analysis.models import Track
from clustering.engine import PlaylistSet
from clustering.engine.defaults import PLAYLIST_NAME_SUFFIX
from clustering.models import Playlist, PlaylistEntry, PlaylistOrigin
from mediaservers.selectors import current_adapter

logger = logging.getLogger(__name__)

# The latest set is shown; the one before is kept as history; older sets go.
CLUSTERING_SETS_KEPT = 2


def clustering_playlists_commit(*, run_id: str, playlist_set: PlaylistSet) -> list[Playlist]:
    """Replace the ``_automatic`` playlists on the media server and record the new set.

    Raises MediaServerError when the server fails; rows are only written once
    every playlist exists on the server, so a failure leaves the old set as latest.
    """
    with current_adapter() as adapter:
        deleted = adapter.delete_playlists_with_suffix(PLAYLIST_NAME_SUFFIX)
        created = [
            (playlist, adapter.create_playlist(playlist.name, list(playlist.item_ids)))
            for playlist in playlist_set.playlists
        ]
    rows = _playlist_rows_save(run_id=run_id, created=created)
    logger.info(
        "clustering.playlists.committed",
        extra={"task_id": run_id, "playlists_created": len(rows), "playlists_deleted": len(deleted)},
    )
    return rows


@transaction.atomic
def _playlist_rows_save(*, run_id: str, created: list) -> list[Playlist]:
    item_ids = {item_id for playlist, _ in created for item_id in playlist.item_ids}
    track_pk = dict(Track.objects.filter(item_id__in=item_ids).values_list("item_id", "pk"))
    rows = []
    for playlist, mediaserver_id in created:
        row = Playlist.objects.create(
            name=playlist.name, origin=PlaylistOrigin.CLUSTERING, mediaserver_playlist_id=mediaserver_id, task_id=run_id
        )
        PlaylistEntry.objects.bulk_create(
            PlaylistEntry(playlist=row, track_id=track_pk[item_id], position=position)
            for position, item_id in enumerate(playlist.item_ids)
            if item_id in track_pk  # a track removed by cleaning meanwhile is simply left out
        )
        rows.append(row)
    _old_playlist_sets_delete()
    return rows


def _old_playlist_sets_delete() -> None:
    """Drop clustering sets older than the latest CLUSTERING_SETS_KEPT jobs."""
    clustering = Playlist.objects.filter(origin=PlaylistOrigin.CLUSTERING)
    task_ids = []
    for task_id in clustering.order_by("-created_at", "-pk").values_list("task_id", flat=True):
        if task_id not in task_ids:
            task_ids.append(task_id)
    stale = task_ids[CLUSTERING_SETS_KEPT:]
    if stale:
        clustering.filter(task_id__in=[task_id for task_id in stale if task_id is not None]).delete()
