"""Upgrading a database whose playlists belonged to the clustering app keeps every playlist and entry."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("clustering", "0004_playlist_owner"), ("analysis", "0003_delete_albumwork")]
AFTER = [("clustering", "0005_playlists_moved_to_their_app"), ("playlists", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_playlists_and_entries_move_to_the_playlists_app_as_they_are():
    old = migrate(BEFORE)
    track = old.get_model("analysis", "Track").objects.create(item_id="t-1", title="Dawn", author="Someone")
    playlist = old.get_model("clustering", "Playlist").objects.create(
        name="Mine", origin="manual", owner="ann", mediaserver_playlist_id="srv-7"
    )
    old.get_model("clustering", "PlaylistEntry").objects.create(playlist=playlist, track=track, position=0)
    try:
        new = migrate(AFTER)
        moved = new.get_model("playlists", "Playlist").objects.get()
        entries = list(new.get_model("playlists", "PlaylistEntry").objects.values_list("track__item_id", "position"))
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert (moved.pk, moved.name, moved.origin, moved.owner, moved.mediaserver_playlist_id) == (
        playlist.pk, "Mine", "manual", "ann", "srv-7",
    )  # fmt: skip
    assert entries == [("t-1", 0)]
