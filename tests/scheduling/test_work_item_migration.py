"""Upgrading a database that has the per-app work tables moves their rows into WorkItem."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("scheduling", "0001_initial"),
    ("analysis", "0002_analysisfailure_albumwork"),
    ("clustering", "0002_clustering_batch"),
]
AFTER = [("scheduling", "0002_work_items"), ("analysis", "0003_delete_albumwork"),
         ("clustering", "0003_delete_clusteringbatch")]  # fmt: skip


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def old_rows_create(apps):
    TaskStatus = apps.get_model("scheduling", "TaskStatus")
    analysis_run = TaskStatus.objects.create(task_id="a-run", task_type="main_analysis", status="PROGRESS")
    album_job = TaskStatus.objects.create(task_id="a-child", task_type="album_analysis", parent=analysis_run)
    apps.get_model("analysis", "AlbumWork").objects.create(
        run=analysis_run, album_id="album-1", album_name="First Light", position=0, child=album_job
    )
    clustering_run = TaskStatus.objects.create(task_id="c-run", task_type="main_clustering", status="SUCCESS")
    apps.get_model("clustering", "ClusteringBatch").objects.create(
        run=clustering_run, index=0, first_run_index=0, iterations=20, score=4.5, best={"clusters": []},
        elites=[{"score": 4.5}], unusable_runs=2, finished_at="2026-01-01T00:00:00Z",
    )  # fmt: skip


def test_album_work_and_clustering_batches_become_work_items():
    old_rows_create(migrate(BEFORE))
    try:
        apps = migrate(AFTER)
        WorkItem = apps.get_model("scheduling", "WorkItem")
        album = WorkItem.objects.get(run_id="a-run")
        batch = WorkItem.objects.get(run_id="c-run")
        running = apps.get_model("scheduling", "TaskStatus").objects.get(task_id="a-run")
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert (album.key, album.label, album.position, album.child_id) == ("album-1", "First Light", 0, "a-child")
    assert running.details["phase"] == "running"  # the reconciler picks it up under the new mechanism
    assert batch.key == "batch 0"
    assert batch.params == {"index": 0, "first_run_index": 0, "iterations": 20}
    assert (batch.score, batch.artifact) == (4.5, {"clusters": []})
    assert batch.result == {"elites": [{"score": 4.5}], "unusable_runs": 2}
