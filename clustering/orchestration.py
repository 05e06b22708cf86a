"""The clustering job: plan the batches, keep a few in flight, commit the best solution.

A job is a main task row (`main_clustering`) with one `ClusteringBatch` row per
batch of ITERATIONS_PER_BATCH_JOB runs. Batches are launched one by one as
earlier ones end (at most MAX_CONCURRENT_BATCH_JOBS in flight), each with the
elites found so far; every batch ends by queueing `clustering.advance`, which
launches the next ones or, when all are done, commits the best playlists. The
reconciler does the same for jobs whose advance was lost and times out stuck
batches. Every decision is taken from the database, so any step may run twice.
"""

from __future__ import annotations

import logging
import secrets
import uuid

from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from clustering import config as clustering_settings
from clustering import selectors
from clustering.engine import ClusteringConfig, updated_elites
from clustering.engine.evolution import Elite
from clustering.models import ClusteringBatch
from scheduling import services as task_services
from scheduling.models import ACTIVE_STATES, TERMINAL_STATES, TaskState, TaskStatus
from scheduling.selectors import any_task_ended

logger = logging.getLogger(__name__)

MAIN_TASK_TYPE = "main_clustering"
BATCH_TASK_TYPE = "clustering_batch"
# Phase stored on the run while the playlists are written, so a second advance leaves it alone.
PHASE_COMMITTING = "committing"


def clustering_start(*, params: dict) -> TaskStatus:
    """Claim the exclusive slot and queue the job (TaskConflict if another main task runs).

    params: the loose request parameters; they override the settings' defaults.
    """
    from clustering.tasks import main_clustering

    config = clustering_settings.clustering_config_with_overrides(
        base=clustering_settings.clustering_config_from_settings(), params=params
    )
    knobs = clustering_settings.orchestration_settings()
    task_id = str(uuid.uuid4())
    with transaction.atomic():
        run = task_services.task_status_claim_exclusive(
            task_id=task_id, task_type=MAIN_TASK_TYPE, status_message="Queued: reading the analysed library"
        )
        run.details.update(
            config=config.as_dict(),
            job_seed=secrets.randbits(32),
            clustering_runs=config.clustering_runs,
            iterations_per_batch=knobs.iterations_per_batch,
            max_concurrent_batches=knobs.max_concurrent_batches,
            batch_timeout_minutes=knobs.batch_timeout_minutes,
            max_failed_batches=knobs.max_failed_batches,
            **clustering_settings.ai_naming_params(params),
        )
        run.save(update_fields=["details", "updated_at"])
        transaction.on_commit(lambda: main_clustering.apply_async(task_id=task_id, queue="high"))
    return run


def clustering_plan(*, run_id: str) -> None:
    """Record the job's batches and launch the first ones."""
    if any_task_ended(run_id):
        return
    tracks = selectors.analysed_track_count()
    if tracks < 2:
        clustering_fail(run_id=run_id, message=f"Clustering needs at least 2 analysed tracks, found {tracks}")
        return
    details = TaskStatus.objects.get(task_id=run_id).details
    total, per_batch = details["clustering_runs"], details["iterations_per_batch"]
    for index, first_run in enumerate(range(0, total, per_batch)):
        ClusteringBatch.objects.get_or_create(
            run_id=run_id,
            index=index,
            defaults={"first_run_index": first_run, "iterations": min(per_batch, total - first_run)},
        )
    task_services.task_status_update(
        task_id=run_id,
        status_message=f"{tracks} analysed tracks; {total} runs in batches of {per_batch}",
        progress=5,
        counters={"tracks": tracks, "batches_total": -(-total // per_batch)},
    )
    clustering_advance(run_id=run_id)


def clustering_advance(*, run_id: str) -> None:
    """Launch batches into the free slots, fail the job past the failure cap, or commit when all are done.

    Called when each batch ends and by the reconciler; the row lock makes a
    second, simultaneous call see the first one's launches.
    """
    with transaction.atomic():
        run = TaskStatus.objects.select_for_update().filter(task_id=run_id).first()
        if run is None or run.status in TERMINAL_STATES or run.details.get("phase") == PHASE_COMMITTING:
            return
        _expire_stuck_batches(run)
        counters = _refresh_progress(run_id)
        if counters["batches_failed"] > run.details["max_failed_batches"]:
            message = f"{counters['batches_failed']} batches failed (limit {run.details['max_failed_batches']})"
            transaction.on_commit(lambda: clustering_fail(run_id=run_id, message=message))
            return
        free = run.details["max_concurrent_batches"] - counters["batches_active"]
        pending = list(
            ClusteringBatch.objects.filter(run_id=run_id, child__isnull=True).order_by("index")[: max(free, 0)]
        )
        if not pending and counters["batches_active"] == 0:
            task_services.task_status_update(
                task_id=run_id,
                status_message="All batches done: writing the playlists",
                counters={"phase": PHASE_COMMITTING},
            )
            transaction.on_commit(lambda: _commit_in_background(run_id))
            return
        elites = [elite.as_dict() for elite in _current_elites(run)]
        launches = [_batch_child(run_id, batch) for batch in pending]
        transaction.on_commit(lambda: _launch_batches(run_id, launches, elites))


def _batch_child(run_id: str, batch: ClusteringBatch) -> tuple[str, int]:
    child = task_services.task_status_create(
        task_id=str(uuid.uuid4()),
        task_type=BATCH_TASK_TYPE,
        parent_task_id=run_id,
        sub_type_identifier=f"batch {batch.index}",
        status_message=f"Queued runs {batch.first_run_index}..{batch.first_run_index + batch.iterations - 1}",
    )
    batch.child = child
    batch.save(update_fields=["child"])
    return child.task_id, batch.pk


def _launch_batches(run_id: str, launches: list[tuple[str, int]], elites: list[dict]) -> None:
    from clustering.tasks import clustering_batch

    for child_id, batch_id in launches:
        clustering_batch.apply_async(
            kwargs={"run_id": run_id, "batch_id": batch_id, "elites": elites}, task_id=child_id, queue="default"
        )


def _commit_in_background(run_id: str) -> None:
    from clustering.tasks import clustering_commit

    clustering_commit.apply_async(kwargs={"run_id": run_id}, queue="high")


def _current_elites(run: TaskStatus) -> tuple[Elite, ...]:
    """The best parameter sets of every finished batch of the job, for the next batches to mutate."""
    top_n = ClusteringConfig.from_dict(run.details["config"]).evolution.top_n_elites
    elites: tuple[Elite, ...] = ()
    for batch_elites in ClusteringBatch.objects.filter(run_id=run.task_id, finished_at__isnull=False).values_list(
        "elites", flat=True
    ):
        candidates = [Elite.from_dict(elite) for elite in batch_elites]
        elites = updated_elites(elites=elites, candidates=candidates, top_n=top_n)
    return elites


def _expire_stuck_batches(run: TaskStatus) -> None:
    """Fail batches running longer than the timeout; unstarted ones get one timeout per queue slot."""
    timeout = timezone.timedelta(minutes=run.details["batch_timeout_minutes"])
    now = timezone.now()
    unstarted_cutoff = now - timeout * run.details["max_concurrent_batches"]
    stuck = TaskStatus.objects.filter(parent_id=run.task_id, status__in=ACTIVE_STATES).filter(
        Q(started_at__lt=now - timeout) | Q(started_at__isnull=True, created_at__lt=unstarted_cutoff)
    )
    for child_id in stuck.values_list("task_id", flat=True):
        task_services.task_status_finish(
            task_id=child_id,
            state=TaskState.FAILURE,
            status_message=f"Timed out after {run.details['batch_timeout_minutes']} minutes",
        )
        transaction.on_commit(lambda child_id=child_id: _revoke(child_id))


def _revoke(task_id: str) -> None:
    from audiomuse.celery import app

    app.control.revoke(task_id)


def _refresh_progress(run_id: str) -> dict:
    """Recount the job from its batches and show "Progress: 100/1000 runs. Active batches: 10. Best score: 4.52"."""
    batches = ClusteringBatch.objects.filter(run_id=run_id)
    done = batches.filter(child__status__in=TERMINAL_STATES)
    counters = {
        "runs_completed": done.aggregate(runs=Sum("iterations"))["runs"] or 0,
        "batches_completed": done.count(),
        # Timed out or crashed; a batch cancelled on its own (REVOKED) is not a failure.
        "batches_failed": done.filter(child__status=TaskState.FAILURE).count(),
        "batches_active": batches.filter(child__status__in=ACTIVE_STATES).count(),
        "best_score": batches.aggregate(best=Max("score"))["best"],
    }
    total = TaskStatus.objects.get(task_id=run_id).details["clustering_runs"]
    best = "none yet" if counters["best_score"] is None else f"{counters['best_score']:.2f}"
    message = (
        f"Progress: {counters['runs_completed']}/{total} runs. Active batches: {counters['batches_active']}. "
        f"Best score: {best}"
    )
    if counters["batches_failed"]:
        message += f". Failed batches: {counters['batches_failed']}"
    progress = 5 + int(90 * counters["runs_completed"] / total)
    task_services.task_status_update(task_id=run_id, status_message=message, progress=progress, counters=counters)
    return counters


def clustering_fail(*, run_id: str, message: str) -> None:
    """End the job as FAILURE and stop its batches; the previous playlists stay in place."""
    with transaction.atomic():
        for child_id in TaskStatus.objects.filter(parent_id=run_id, status__in=ACTIVE_STATES).values_list(
            "task_id", flat=True
        ):
            task_services.task_status_finish(task_id=child_id, state=TaskState.REVOKED, status_message=message)
        task_services.task_status_finish(task_id=run_id, state=TaskState.FAILURE, status_message=message)
    logger.error("clustering.run.failed", extra={"task_id": run_id, "reason": message})


def batch_cancelled(*, child_id: str, run_id: str) -> bool:
    """True when the batch or its job was cancelled, timed out or failed: its result is not wanted.

    The cooperative check album jobs make between tracks; a batch makes it between runs.
    """
    return any_task_ended(child_id, run_id)


def clustering_reconcile() -> dict:
    """Advance jobs whose advance was lost, time out stuck batches, fail jobs whose main task was lost."""
    advanced, failed = 0, 0
    for run in TaskStatus.objects.filter(task_type=MAIN_TASK_TYPE, status__in=ACTIVE_STATES, parent__isnull=True):
        stale = run.updated_at < timezone.now() - timezone.timedelta(
            minutes=run.details.get("batch_timeout_minutes", 60)
        )
        planned = ClusteringBatch.objects.filter(run_id=run.task_id).exists()
        if run.details.get("phase") == PHASE_COMMITTING or not planned:
            if stale:
                clustering_fail(run_id=run.task_id, message="The worker running the job was lost; start it again.")
                failed += 1
            continue
        clustering_advance(run_id=run.task_id)
        advanced += 1
    return {"advanced_runs": advanced, "failed_runs": failed}
