from django.db import migrations


class Migration(migrations.Migration):
    """The playlist models moved to the playlists app with their tables as they are: state only."""

    dependencies = [("clustering", "0004_playlist_owner"), ("playlists", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="playlistentry", name="playlist"),
                migrations.RemoveField(model_name="playlistentry", name="track"),
                migrations.DeleteModel(name="Playlist"),
                migrations.DeleteModel(name="PlaylistEntry"),
            ],
            database_operations=[],
        ),
    ]
