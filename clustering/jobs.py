"""The work inside the clustering tasks: one batch of runs, and the commit of the best solution."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np
from django.db.models import Q
from django.utils import timezone

from clustering import config as clustering_settings
from clustering import engine, selectors, services
from clustering.engine import BatchResult, ClusteringConfig, ClusteringEngineError, IterationResult
from clustering.engine.evolution import Elite
from clustering.models import ClusteringBatch
from clustering.orchestration import batch_cancelled, clustering_fail
from mediaservers.errors import MediaServerError
from scheduling import services as task_services
from scheduling.models import TERMINAL_STATES, TaskState, TaskStatus

logger = logging.getLogger(__name__)

# How often a running batch asks the database whether it was cancelled: runs take from
# milliseconds (small libraries) to seconds, and a query per run would dominate the small ones.
CANCEL_CHECK_INTERVAL_SECONDS = 1.0


def clustering_batch_run(*, child_id: str, run_id: str, batch_id: int, elites: list[dict]) -> BatchResult | None:
    """Run one batch and store its best run and elites; None when it was cancelled or timed out meanwhile.

    The engine stops at the end of the run in progress once a cancel is seen, and it looks at
    most CANCEL_CHECK_INTERVAL_SECONDS apart.
    Raises whatever the engine raises; the task records that as a failed batch.
    """
    if batch_cancelled(child_id=child_id, run_id=run_id):
        return None
    batch = ClusteringBatch.objects.get(pk=batch_id)
    details = TaskStatus.objects.get(task_id=run_id).details
    chunk_size = clustering_settings.orchestration_settings().db_fetch_chunk_size
    # Looked up on the package at call time so tests can make one batch fail.
    result = engine.run_batch(
        data=selectors.clustering_data_load(chunk_size=chunk_size),
        config=ClusteringConfig.from_dict(details["config"]),
        elites=[Elite.from_dict(elite) for elite in elites],
        iterations=batch.iterations,
        first_run_index=batch.first_run_index,
        rng=np.random.default_rng([details["job_seed"], batch.index]),
        should_stop=_cancel_check(child_id=child_id, run_id=run_id),
    )
    # Cancelled or timed out while running (stopped early or not): the result belongs to nobody.
    if batch_cancelled(child_id=child_id, run_id=run_id):
        return None
    _batch_result_save(batch=batch, result=result)
    return result


def _cancel_check(*, child_id: str, run_id: str) -> Callable[[], bool]:
    """The engine's should_stop: ``batch_cancelled``, asked at most once per interval; a stop is final."""
    last_asked, cancelled = float("-inf"), False

    def should_stop() -> bool:
        nonlocal last_asked, cancelled
        if not cancelled and time.monotonic() - last_asked >= CANCEL_CHECK_INTERVAL_SECONDS:
            last_asked = time.monotonic()
            cancelled = batch_cancelled(child_id=child_id, run_id=run_id)
        return cancelled

    return should_stop


def _batch_result_save(*, batch: ClusteringBatch, result: BatchResult) -> None:
    batch.score = result.best.score if result.best else None
    batch.best = result.best.as_dict() if result.best else None
    batch.elites = [elite.as_dict() for elite in result.elites]
    batch.unusable_runs = result.unusable_runs
    batch.finished_at = timezone.now()
    batch.save(update_fields=["score", "best", "elites", "unusable_runs", "finished_at"])
    # Only the job's best batch needs its clusters; the others keep their score and elites.
    # Ties go to the lower pk, so two batches saving at once never drop each other.
    if batch.score is None:
        return
    siblings = ClusteringBatch.objects.filter(run_id=batch.run_id).exclude(pk=batch.pk)
    siblings.filter(Q(score__lt=batch.score) | Q(score=batch.score, pk__gt=batch.pk)).update(best=None)
    beaten = siblings.filter(Q(score__gt=batch.score) | Q(score=batch.score, pk__lt=batch.pk), best__isnull=False)
    if beaten.exists():
        ClusteringBatch.objects.filter(pk=batch.pk).update(best=None)


def clustering_commit(*, run_id: str) -> None:
    """Finalize the best run into named playlists, write them to the media server, finish the job."""
    run = TaskStatus.objects.get(task_id=run_id)
    if run.status in TERMINAL_STATES:
        return
    best_batch = ClusteringBatch.objects.filter(run_id=run_id, best__isnull=False).order_by("-score").first()
    if best_batch is None:
        clustering_fail(run_id=run_id, message="No clustering run produced usable clusters; widen the ranges")
        return
    try:
        playlist_set = _finalized_playlists(run=run, best=IterationResult.from_dict(best_batch.best))
        if TaskStatus.objects.filter(task_id=run_id, status__in=TERMINAL_STATES).exists():
            return  # cancelled while the playlists were being built: leave the server alone
        rows = services.clustering_playlists_commit(run_id=run_id, playlist_set=playlist_set)
    except MediaServerError as exc:
        clustering_fail(run_id=run_id, message=f"Media server error while writing playlists: {exc}")
        return
    except ClusteringEngineError as exc:
        clustering_fail(run_id=run_id, message=f"Could not build playlists: {exc}")
        return
    message = f"Done: {len(rows)} playlists created (best score {best_batch.score:.2f})"
    counters = {"playlists_created": len(rows), "scaling_rule": playlist_set.scaling.rule, "phase": "done"}
    task_services.task_status_finish(task_id=run_id, state=TaskState.SUCCESS, status_message=message, counters=counters)
    logger.info("clustering.run.finished", extra={"task_id": run_id, "playlists": len(rows)})


def _finalized_playlists(*, run: TaskStatus, best: IterationResult):
    details = run.details
    chunk_size = clustering_settings.orchestration_settings().db_fetch_chunk_size
    batches = ClusteringBatch.objects.filter(run_id=run.task_id).count()
    return engine.finalize_playlists(
        best=best,
        data=selectors.clustering_data_load(chunk_size=chunk_size),
        config=ClusteringConfig.from_dict(details["config"]),
        # A stream of its own, distinct from every batch's [seed, index].
        rng=np.random.default_rng([details["job_seed"], batches]),
    )
