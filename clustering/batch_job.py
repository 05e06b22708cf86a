"""The work inside the clustering job: one batch of runs, and the commit of the best solution."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np

from clustering import config as clustering_settings
from clustering import engine, selectors, services
from clustering.engine import ClusteringConfig, ClusteringEngineError, IterationResult, updated_elites
from clustering.engine.evolution import Elite
from mediaservers.errors import MediaServerError
from scheduling import selectors as task_selectors
from scheduling import services as task_services
from scheduling.errors import JobFailed
from scheduling.registry import Outcome
from scheduling.runs import WorkContext

logger = logging.getLogger(__name__)

# How often a running batch asks the database whether it was cancelled: runs take from
# milliseconds (small libraries) to seconds, and a query per run would dominate the small ones.
CANCEL_CHECK_INTERVAL_SECONDS = 1.0


def clustering_batch_run(context: WorkContext) -> Outcome | None:
    """Run one batch from the elites found so far and store its best run and elites; None when cancelled meanwhile.

    The engine stops at the end of the run in progress once a cancel is seen, and it looks at
    most CANCEL_CHECK_INTERVAL_SECONDS apart.
    Raises whatever the engine raises; that counts as a failed batch.
    """
    batch, details = context.params, context.details
    chunk_size = clustering_settings.orchestration_settings().db_fetch_chunk_size
    # Looked up on the package at call time so tests can make one batch fail.
    result = engine.run_batch(
        data=selectors.clustering_data_load(chunk_size=chunk_size),
        config=ClusteringConfig.from_dict(details["config"]),
        elites=list(_current_elites(run_id=context.run_id, details=details)),
        iterations=batch["iterations"],
        first_run_index=batch["first_run_index"],
        rng=np.random.default_rng([details["job_seed"], batch["index"]]),
        should_stop=_cancel_check(context),
    )
    # Cancelled or timed out while running (stopped early or not): the result belongs to nobody.
    if context.cancelled():
        return None
    task_services.work_item_result_save(
        item_id=context.item.pk,
        score=result.best.score if result.best else None,
        # Only the job's best batch keeps its clusters; the others keep their score and elites.
        artifact=result.best.as_dict() if result.best else None,
        result={"elites": [elite.as_dict() for elite in result.elites], "unusable_runs": result.unusable_runs},
    )
    score = "none usable" if result.best is None else f"{result.best.score:.2f}"
    return Outcome(
        status_message=f"Batch done: {result.runs} runs, {result.unusable_runs} unusable, best score {score}",
        counters={"runs": result.runs, "unusable_runs": result.unusable_runs},
    )


def _current_elites(*, run_id: str, details: dict) -> tuple[Elite, ...]:
    """The best parameter sets of every finished batch of the job, for this batch to mutate."""
    top_n = ClusteringConfig.from_dict(details["config"]).evolution.top_n_elites
    elites: tuple[Elite, ...] = ()
    for item in task_selectors.work_items_finished(run_id=run_id):
        candidates = [Elite.from_dict(elite) for elite in item.result["elites"]]
        elites = updated_elites(elites=elites, candidates=candidates, top_n=top_n)
    return elites


def _cancel_check(context: WorkContext) -> Callable[[], bool]:
    """The engine's should_stop: ``context.cancelled``, asked at most once per interval; a stop is final."""
    last_asked, cancelled = float("-inf"), False

    def should_stop() -> bool:
        nonlocal last_asked, cancelled
        if not cancelled and time.monotonic() - last_asked >= CANCEL_CHECK_INTERVAL_SECONDS:
            last_asked = time.monotonic()
            cancelled = context.cancelled()
        return cancelled

    return should_stop


def clustering_commit(run_id: str) -> Outcome | None:
    """Finalize the best run into named playlists and write them to the media server (JobFailed if it cannot)."""
    best_batch = task_selectors.work_item_best(run_id=run_id)
    if best_batch is None:
        raise JobFailed("No clustering run produced usable clusters; widen the ranges")
    try:
        playlist_set = _finalized_playlists(run_id=run_id, best=IterationResult.from_dict(best_batch.artifact))
        if task_selectors.any_task_ended(run_id):
            return None  # cancelled while the playlists were being built: leave the server alone
        rows = services.clustering_playlists_commit(run_id=run_id, playlist_set=playlist_set)
    except MediaServerError as exc:
        raise JobFailed(f"Media server error while writing playlists: {exc}") from exc
    except ClusteringEngineError as exc:
        raise JobFailed(f"Could not build playlists: {exc}") from exc
    logger.info("clustering.run.finished", extra={"task_id": run_id, "playlists": len(rows)})
    return Outcome(
        status_message=f"Done: {len(rows)} playlists created (best score {best_batch.score:.2f})",
        counters={"playlists_created": len(rows), "scaling_rule": playlist_set.scaling.rule},
    )


def _finalized_playlists(*, run_id: str, best: IterationResult):
    details = task_selectors.task_status_get(task_id=run_id).details
    chunk_size = clustering_settings.orchestration_settings().db_fetch_chunk_size
    batches = task_selectors.work_item_count(run_id=run_id)
    return engine.finalize_playlists(
        best=best,
        data=selectors.clustering_data_load(chunk_size=chunk_size),
        config=ClusteringConfig.from_dict(details["config"]),
        # A stream of its own, distinct from every batch's [seed, index].
        rng=np.random.default_rng([details["job_seed"], batches]),
    )
