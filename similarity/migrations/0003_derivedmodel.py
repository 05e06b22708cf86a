from django.db import migrations, models


class Migration(migrations.Migration):
    """Models fitted from the library after each index rebuild (artists, hyperbolic), stored like the index."""

    dependencies = [("similarity", "0002_tracksearch")]

    operations = [
        migrations.CreateModel(
            name="DerivedModel",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=32, unique=True)),
                ("data", models.BinaryField()),
                ("version", models.PositiveBigIntegerField(default=1)),
                ("index_version", models.PositiveBigIntegerField(default=0)),
                ("size", models.PositiveIntegerField(
                    help_text="Entries in the model: tracks (hyperbolic) or artists (artists).")),
                ("fit_seconds", models.FloatField(default=0.0)),
                ("fitted_at", models.DateTimeField(auto_now=True)),
            ],
        ),
    ]
