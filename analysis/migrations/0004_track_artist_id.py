from django.db import migrations, models

ARTIST_ID_HELP = "The media server's id of the artist; servers without artist ids: a hash of the name."


class Migration(migrations.Migration):
    """Tracks keep the media server's artist id (similar artists are asked for by it)."""

    dependencies = [("analysis", "0003_delete_albumwork")]

    operations = [
        migrations.AddField(
            model_name="track",
            name="artist_id",
            field=models.CharField(blank=True, db_index=True, help_text=ARTIST_ID_HELP, max_length=255),
        ),
    ]
