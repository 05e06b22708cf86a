from django.db import migrations, models


def keep_the_newest_of_each_name(apps, schema_editor):
    """Before names were unique, posting one twice left two rows for one playlist: keep the newest."""
    Playlist = apps.get_model("clustering", "Playlist")
    seen = set()
    for playlist in Playlist.objects.exclude(origin="clustering").order_by("-created_at", "-pk"):
        if playlist.name in seen:
            playlist.delete()
        seen.add(playlist.name)


class Migration(migrations.Migration):
    """Playlist names are one per owner (clustering's sets excepted)."""

    dependencies = [("clustering", "0003_delete_clusteringbatch")]

    operations = [
        migrations.AddField("playlist", "owner", models.CharField(blank=True, default="", max_length=255)),
        migrations.RunPython(keep_the_newest_of_each_name, migrations.RunPython.noop),
        migrations.AddConstraint(
            "playlist",
            models.UniqueConstraint(
                condition=~models.Q(origin="clustering"), fields=("owner", "name"), name="unique_playlist_name_per_owner"
            ),
        ),
    ]
