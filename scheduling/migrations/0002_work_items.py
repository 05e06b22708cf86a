"""Work items: one model for every job's units of work, replacing per-app work rows.

The rows of analysis' AlbumWork and clustering's ClusteringBatch are moved here.

Runs still active at the upgrade are marked as running their items, so the reconciler
picks them up under the new job mechanism (restarting or timing out their lost items).
Old beat entries for the per-app reconcilers are removed; ``scheduling.reconcile`` replaces them.
"""

import django.db.models.deletion
from django.db import migrations, models

ACTIVE_STATES = ("PENDING", "STARTED", "PROGRESS")
OLD_RECONCILERS = ("analysis.reconcile", "clustering.reconcile")
FIELDS = [
    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
    ("position", models.PositiveIntegerField()),
    ("key", models.CharField(max_length=255)),
    ("label", models.CharField(blank=True, max_length=512)),
    ("params", models.JSONField(blank=True, default=dict)),
    ("score", models.FloatField(blank=True, null=True)),
    ("result", models.JSONField(blank=True, null=True)),
    ("artifact", models.JSONField(blank=True, null=True)),
    ("finished_at", models.DateTimeField(blank=True, null=True)),
    ("child", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="work_item", to="scheduling.taskstatus", to_field="task_id")),
    ("run", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="work_items", to="scheduling.taskstatus", to_field="task_id")),
]


def _albums_copy(apps):
    AlbumWork = apps.get_model("analysis", "AlbumWork")
    WorkItem = apps.get_model("scheduling", "WorkItem")
    WorkItem.objects.bulk_create(
        WorkItem(run_id=work.run_id, position=work.position, key=work.album_id, label=work.album_name,
                 child_id=work.child_id, finished_at=None)
        for work in AlbumWork.objects.iterator()
    )  # fmt: skip


def _batches_copy(apps):
    ClusteringBatch = apps.get_model("clustering", "ClusteringBatch")
    WorkItem = apps.get_model("scheduling", "WorkItem")
    WorkItem.objects.bulk_create(
        WorkItem(
            run_id=batch.run_id, position=batch.index, key=f"batch {batch.index}",
            label=f"runs {batch.first_run_index}..{batch.first_run_index + batch.iterations - 1}",
            params={"index": batch.index, "first_run_index": batch.first_run_index, "iterations": batch.iterations},
            child_id=batch.child_id, score=batch.score, artifact=batch.best, finished_at=batch.finished_at,
            result={"elites": batch.elites, "unusable_runs": batch.unusable_runs} if batch.finished_at else None,
        )
        for batch in ClusteringBatch.objects.iterator()
    )  # fmt: skip


def forwards(apps, schema_editor):
    _albums_copy(apps)
    _batches_copy(apps)
    TaskStatus = apps.get_model("scheduling", "TaskStatus")
    for run in TaskStatus.objects.filter(status__in=ACTIVE_STATES, work_items__isnull=False).distinct():
        run.details = {**(run.details or {}), "phase": run.details.get("phase") or "running"}
        run.save(update_fields=["details"])
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task__in=OLD_RECONCILERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0001_initial"),
        ("analysis", "0002_analysisfailure_albumwork"),
        ("clustering", "0002_clustering_batch"),
        ("django_celery_beat", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkItem",
            fields=FIELDS,
            options={
                "ordering": ["run", "position"],
                "constraints": [models.UniqueConstraint(fields=("run", "key"), name="unique_work_item_per_run")],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
