"""Writes (services) of the clustering app: committing a job's playlists."""

from __future__ import annotations

import logging

from clustering.engine import PlaylistSet
from clustering.engine.defaults import PLAYLIST_NAME_SUFFIX
from mediaservers.selectors import current_adapter
from playlists import services as playlists_services
from playlists.models import Playlist
from playlists.services import GeneratedPlaylist

logger = logging.getLogger(__name__)


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
    rows = playlists_services.clustering_set_record(
        run_id=run_id,
        created=[
            GeneratedPlaylist(name=playlist.name, item_ids=tuple(playlist.item_ids), mediaserver_playlist_id=server_id)
            for playlist, server_id in created
        ],
    )
    logger.info(
        "clustering.playlists.committed",
        extra={"task_id": run_id, "playlists_created": len(rows), "playlists_deleted": len(deleted)},
    )
    return rows
