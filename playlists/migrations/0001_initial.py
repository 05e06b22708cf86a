import django.db.models.deletion
from django.db import migrations, models

ORIGINS = [(value, value.capitalize()) for value in ("clustering", "similar", "path", "alchemy", "fingerprint", "chat", "manual")]
PLAYLIST_FIELDS = [
    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
    ("name", models.CharField(db_index=True, max_length=255)),
    ("origin", models.CharField(choices=ORIGINS, db_index=True, max_length=16)),
    ("owner", models.CharField(blank=True, default="", max_length=255)),
    ("mediaserver_playlist_id", models.CharField(blank=True, max_length=255)),
    ("created_at", models.DateTimeField(auto_now_add=True)),
    ("task", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                               related_name="playlists", to="scheduling.taskstatus", to_field="task_id")),
]
ENTRY_FIELDS = [
    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
    ("position", models.PositiveIntegerField()),
    ("playlist", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="entries",
                                   to="playlists.playlist")),
    ("track", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="playlist_entries",
                                to="analysis.track")),
]


class Migration(migrations.Migration):
    """The playlist models, moved here from the clustering app.

    The tables exist already (clustering 0001-0004 made them) and keep their names: this migration
    only tells Django that the models now belong to this app.
    """

    initial = True

    dependencies = [
        ("analysis", "0003_delete_albumwork"),
        ("clustering", "0004_playlist_owner"),
        ("scheduling", "0002_work_items"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    "Playlist", PLAYLIST_FIELDS,
                    options={"db_table": "clustering_playlist", "ordering": ["-created_at", "name"]},
                ),
                migrations.CreateModel(
                    "PlaylistEntry", ENTRY_FIELDS,
                    options={"db_table": "clustering_playlistentry", "ordering": ["playlist", "position"]},
                ),
                migrations.AddField("playlist", "tracks", models.ManyToManyField(
                    related_name="playlists", through="playlists.PlaylistEntry", to="analysis.track")),
                migrations.AddConstraint("playlistentry", models.UniqueConstraint(
                    fields=("playlist", "position"), name="unique_playlist_position")),
                migrations.AddConstraint("playlist", models.UniqueConstraint(
                    condition=~models.Q(origin="clustering"), fields=("owner", "name"),
                    name="unique_playlist_name_per_owner")),
            ],
            database_operations=[],
        ),
    ]
