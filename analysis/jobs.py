"""The analysis job: plan the albums that need analysis, analyse each as a work item, rebuild the index.

A run of the registered ``main_analysis`` job (see ``scheduling.runs``) has one work item
per album with tracks not analysed by the current models; MAX_QUEUED_ANALYSIS_JOBS album
jobs are in flight at once, an album whose worker died gets a fresh job, and the vector
index is rebuilt every REBUILD_INDEX_BATCH_SIZE albums and at the end.
"""

from __future__ import annotations

import logging

from analysis import album_job, cleaning
from analysis.models import AnalysisFailure, Track
from analysis.selectors import analysis_counts_since
from analysis.signals import library_changed
from common.config import setting
from mediaservers.errors import MediaServerError
from mediaservers.selectors import current_adapter
from scheduling import registry, runs
from scheduling import selectors as task_selectors
from scheduling import services as task_services
from scheduling.errors import JobFailed
from scheduling.models import TaskStatus
from scheduling.registry import JobType, Outcome, Plan, RunCounts, WorkItemSpec
from scheduling.runs import WorkContext

logger = logging.getLogger(__name__)

MAIN_TASK_TYPE = "main_analysis"
ALBUM_TASK_TYPE = "album_analysis"
TRACK_COUNTERS = ("tracks_analysed", "tracks_skipped", "tracks_failed")


def analysis_start(*, num_recent_albums: int | None = None) -> TaskStatus:
    """Claim the exclusive slot and queue the run's planning (TaskConflict if busy)."""
    recent = setting("NUM_RECENT_ALBUMS") if num_recent_albums is None else num_recent_albums
    return runs.run_start(
        task_type=MAIN_TASK_TYPE,
        details={"num_recent_albums": recent},
        status_message="Queued: listing albums",
    )


def analysis_plan(run_id: str, details: dict) -> Plan:
    """One work item per album with tracks not yet analysed by the current models."""
    try:
        with current_adapter() as adapter:
            found, albums = _albums_to_analyse(adapter, run_id=run_id, num_recent_albums=details["num_recent_albums"])
    except MediaServerError as exc:
        raise JobFailed(f"Media server error while listing albums: {exc}") from exc
    queued = len(albums)
    return Plan(
        items=albums,
        status_message=f"Found {found} albums, {found - queued} already analysed, {queued} to analyse",
        counters={"albums_found": found, "albums_skipped": found - queued, "albums_to_analyse": queued},
    )


def _albums_to_analyse(adapter, *, run_id: str, num_recent_albums: int) -> tuple[int, list[WorkItemSpec]]:
    version = album_job.analysis_model_version()
    found, albums = 0, []
    for found, album in enumerate(
        adapter.iter_albums(recent=num_recent_albums if num_recent_albums > 0 else None), start=1
    ):
        if task_selectors.any_task_ended(run_id):
            break
        track_ids = [track.id for track in adapter.album_tracks(album.id)]
        if track_ids and not _album_is_done(track_ids, version):
            albums.append(WorkItemSpec(key=album.id, label=album.name or ""))
        if found % 25 == 0:
            task_services.task_status_update(
                task_id=run_id, status_message=f"Listing albums: {found} so far", progress=2
            )
    return found, albums


def _album_is_done(track_ids: list[str], model_version: str) -> bool:
    """Every track analysed with the current models, or known to be unanalysable."""
    analysed = Track.objects.filter(
        item_id__in=track_ids, analysis__model_version=model_version, embedding__isnull=False
    ).values_list("item_id", flat=True)
    failed = AnalysisFailure.objects.filter(item_id__in=track_ids).values_list("item_id", flat=True)
    return set(track_ids) <= set(analysed) | set(failed)


def album_work(context: WorkContext) -> Outcome | None:
    """Analyse one album; a media server that went away fails the whole run."""
    try:
        outcome = album_job.album_analysis_run(child_id=context.child_id, run_id=context.run_id, album_id=context.key)
    except album_job.MediaServerGone as exc:
        raise JobFailed(f"Media server unavailable: {exc}") from exc
    if outcome.cancelled:
        return None
    summary = f"{outcome.tracks_analysed} analysed, {outcome.tracks_skipped} skipped, {outcome.tracks_failed} failed"
    return Outcome(
        status_message=f"Album done: {summary}",
        counters=outcome.counters(),
        log=[f"Skipped {failure}" for failure in outcome.failures],
    )


def analysis_progress(counts: RunCounts) -> tuple[str, dict]:
    """ "Analysed 3/10 albums: 42 tracks", counted from the album jobs."""
    counters = task_selectors.children_counters_sum(run_id=counts.run_id, names=TRACK_COUNTERS)
    counters.update(albums_completed=counts.completed, albums_launched=counts.launched)
    message = f"Analysed {counts.completed}/{counts.total} albums: {counters['tracks_analysed']} tracks"
    if counters["tracks_failed"]:
        message += f", {counters['tracks_failed']} failed"
    return message, counters


def analysis_index_rebuild(run_id: str) -> None:
    """Make the albums analysed so far searchable (every REBUILD_INDEX_BATCH_SIZE albums, and at the end)."""
    completed = task_selectors.task_status_get(task_id=run_id).details.get("albums_completed", 0)
    task_services.task_status_update(task_id=run_id, status_message=f"Rebuilding the index ({completed} albums)")
    library_changed.send(sender=__name__, reason="analysis")
    task_services.task_status_update(task_id=run_id, counters={"index_built_at_albums": completed})


def analysis_finish(run_id: str) -> Outcome:
    analysis_index_rebuild(run_id)
    run = task_selectors.task_status_get(task_id=run_id)
    # The summary counts what is stored, not what album jobs reported: a killed job never reports.
    counters = analysis_counts_since(since=run.started_at or run.created_at)
    logger.info("analysis.run.finished", extra={"task_id": run_id, **counters})
    return Outcome(
        status_message=f"Done: {counters['tracks_analysed']} tracks analysed, {counters['tracks_failed']} failed",
        counters=counters,
    )


# What the job does, then its knobs (read from the settings when each run needs them).
ANALYSIS_JOB = JobType(
    name=MAIN_TASK_TYPE, item_type=ALBUM_TASK_TYPE, item_noun="albums",
    plan=analysis_plan, work=album_work, progress=analysis_progress, finish=analysis_finish,
    checkpoint=analysis_index_rebuild, checkpoint_every=lambda details: setting("REBUILD_INDEX_BATCH_SIZE"),
    window=lambda details: setting("MAX_QUEUED_ANALYSIS_JOBS"),
    retries=lambda details: setting("ANALYSIS_TASK_RETRIES"),
    # An album job that stopped reporting lost its worker: the album gets a fresh job.
    stale_seconds=lambda details: setting("ANALYSIS_STALE_SECONDS"), restart_lost_items=True,
)  # fmt: skip


def register() -> None:
    registry.register_job(ANALYSIS_JOB)
    registry.register_main_task(cleaning.TASK_TYPE)
