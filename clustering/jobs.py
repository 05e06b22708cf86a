"""The clustering job: plan the batches of runs, run them a window at a time, commit the best solution.

A job is a run of the registered ``main_clustering`` job (see ``scheduling.runs``) with
one work item per batch of ITERATIONS_PER_BATCH_JOB runs, at most MAX_CONCURRENT_BATCH_JOBS
in flight. Each batch starts from the elites of the batches finished before it; once
every batch ended, the finish step writes the best run's playlists.
"""

from __future__ import annotations

import secrets

from clustering import batch_job, selectors
from clustering import config as clustering_settings
from scheduling import registry, runs
from scheduling.errors import JobFailed
from scheduling.models import TaskStatus
from scheduling.registry import JobType, Plan, RunCounts, WorkItemSpec

MAIN_TASK_TYPE = "main_clustering"
BATCH_TASK_TYPE = "clustering_batch"


def clustering_start(*, params: dict) -> TaskStatus:
    """Claim the exclusive slot and queue the job (TaskConflict if another main task runs).

    params: the loose request parameters; they override the settings' defaults.
    """
    config = clustering_settings.clustering_config_with_overrides(
        base=clustering_settings.clustering_config_from_settings(), params=params
    )
    knobs = clustering_settings.orchestration_settings()
    details = dict(
        config=config.as_dict(),
        job_seed=secrets.randbits(32),
        clustering_runs=config.clustering_runs,
        iterations_per_batch=knobs.iterations_per_batch,
        max_concurrent_batches=knobs.max_concurrent_batches,
        batch_timeout_minutes=knobs.batch_timeout_minutes,
        max_failed_batches=knobs.max_failed_batches,
        **clustering_settings.ai_naming_params(params),
    )
    return runs.run_start(
        task_type=MAIN_TASK_TYPE, details=details, status_message="Queued: reading the analysed library"
    )


def clustering_plan(run_id: str, details: dict) -> Plan:
    """One work item per batch of runs."""
    tracks = selectors.analysed_track_count()
    if tracks < 2:
        raise JobFailed(f"Clustering needs at least 2 analysed tracks, found {tracks}")
    total, per_batch = details["clustering_runs"], details["iterations_per_batch"]
    batches = [
        WorkItemSpec(
            key=f"batch {index}",
            label=f"runs {first_run}..{first_run + min(per_batch, total - first_run) - 1}",
            params={"index": index, "first_run_index": first_run, "iterations": min(per_batch, total - first_run)},
        )
        for index, first_run in enumerate(range(0, total, per_batch))
    ]
    return Plan(
        items=batches,
        status_message=f"{tracks} analysed tracks; {total} runs in batches of {per_batch}",
        counters={"tracks": tracks, "batches_total": len(batches)},
    )


def clustering_progress(counts: RunCounts) -> tuple[str, dict]:
    """ "Progress: 100/1000 runs. Active batches: 10. Best score: 4.52"."""
    counters = {
        "runs_completed": selectors.clustering_runs_completed(run_id=counts.run_id),
        "batches_completed": counts.completed,
        # Timed out or crashed; a batch cancelled on its own (REVOKED) is not a failure.
        "batches_failed": counts.failed,
        "batches_active": counts.active,
        "best_score": selectors.clustering_best_score(run_id=counts.run_id),
    }
    best = "none yet" if counters["best_score"] is None else f"{counters['best_score']:.2f}"
    message = (
        f"Progress: {counters['runs_completed']}/{counts.details['clustering_runs']} runs. "
        f"Active batches: {counters['batches_active']}. Best score: {best}"
    )
    if counters["batches_failed"]:
        message += f". Failed batches: {counters['batches_failed']}"
    return message, counters


# What the job does, then its knobs (fixed in the run's details when it starts).
CLUSTERING_JOB = JobType(
    name=MAIN_TASK_TYPE, item_type=BATCH_TASK_TYPE, item_noun="batches",
    plan=clustering_plan, work=batch_job.clustering_batch_run, progress=clustering_progress,
    finish=batch_job.clustering_commit,
    window=lambda details: details["max_concurrent_batches"],
    max_failed_items=lambda details: details["max_failed_batches"],
    # A batch stuck past the timeout counts as failed: run again, it could stick again.
    stale_seconds=lambda details: 60 * details.get("batch_timeout_minutes", 60), restart_lost_items=False,
)  # fmt: skip


def register() -> None:
    registry.register_job(CLUSTERING_JOB)
