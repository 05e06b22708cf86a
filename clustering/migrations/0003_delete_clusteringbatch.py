"""ClusteringBatch's rows now live in scheduling's WorkItem (moved by scheduling 0002)."""

from django.db import migrations

DELETED = "ClusteringBatch"


class Migration(migrations.Migration):
    dependencies = [
        ("clustering", "0002_clustering_batch"),
        ("scheduling", "0002_work_items"),
    ]
    operations = [migrations.DeleteModel(name=DELETED)]
