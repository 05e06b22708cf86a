"""AlbumWork's rows now live in scheduling's WorkItem (moved by scheduling 0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("analysis", "0002_analysisfailure_albumwork"), ("scheduling", "0002_work_items")]
    operations = [migrations.DeleteModel(name="AlbumWork")]
