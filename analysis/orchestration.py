"""The analysis run: plan the albums, analyse them in windows of Celery chords, finish.

A run is a main task row (`main_analysis`) with one `AlbumWork` row per album
that needs analysis. Album jobs are launched `MAX_QUEUED_ANALYSIS_JOBS` at a
time as a chord whose callback advances the run; the reconciler advances runs
whose callback was lost and restarts album jobs whose worker died. Every
decision is taken from the database, so any of these steps may run twice.
"""

from __future__ import annotations

import logging
import uuid

from celery import chord
from django.conf import settings
from django.db import transaction
from django.db.models import IntegerField, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from analysis.models import AlbumWork, AnalysisFailure, Track
from mediaservers.errors import MediaServerError
from mediaservers.selectors import current_adapter
from scheduling import services as task_services
from scheduling.models import ACTIVE_STATES, TERMINAL_STATES, TaskState, TaskStatus
from scheduling.selectors import any_task_ended

logger = logging.getLogger(__name__)

MAIN_TASK_TYPE = "main_analysis"
ALBUM_TASK_TYPE = "album_analysis"
TRACK_COUNTERS = ("tracks_analysed", "tracks_skipped", "tracks_failed")


def analysis_start(*, num_recent_albums: int | None = None) -> TaskStatus:
    """Claim the exclusive slot and queue the run's planning task (TaskConflict if busy)."""
    from analysis.tasks import main_analysis

    recent = settings.NUM_RECENT_ALBUMS if num_recent_albums is None else num_recent_albums
    task_id = str(uuid.uuid4())
    with transaction.atomic():
        run = task_services.task_status_claim_exclusive(
            task_id=task_id, task_type=MAIN_TASK_TYPE, status_message="Queued: listing albums"
        )
        run.details.update({"num_recent_albums": recent})
        run.save(update_fields=["details", "updated_at"])
        transaction.on_commit(
            lambda: main_analysis.apply_async(kwargs={"num_recent_albums": recent}, task_id=task_id, queue="high")
        )
    return run


def analysis_plan(*, run_id: str, num_recent_albums: int) -> None:
    """List the albums, record those that need analysis, launch the first window."""
    try:
        with current_adapter() as adapter:
            found, queued = _plan_albums(adapter, run_id=run_id, num_recent_albums=num_recent_albums)
    except MediaServerError as exc:
        _fail_run(run_id, f"Media server error while listing albums: {exc}")
        return
    if any_task_ended(run_id):
        return
    task_services.task_status_update(
        task_id=run_id,
        status_message=f"Found {found} albums, {found - queued} already analysed, {queued} to analyse",
        progress=5,
        counters={"albums_found": found, "albums_skipped": found - queued, "albums_to_analyse": queued},
    )
    analysis_advance(run_id=run_id)


def _plan_albums(adapter, *, run_id: str, num_recent_albums: int) -> tuple[int, int]:
    """Record an AlbumWork row per album with tracks not yet analysed; returns (found, queued)."""
    version = analysis_model_version()
    found, queued = 0, 0
    albums = adapter.iter_albums(recent=num_recent_albums if num_recent_albums > 0 else None)
    for found, album in enumerate(albums, start=1):
        if any_task_ended(run_id):
            break
        track_ids = [track.id for track in adapter.album_tracks(album.id)]
        if track_ids and not _album_is_done(track_ids, version):
            AlbumWork.objects.get_or_create(
                run_id=run_id, album_id=album.id, defaults={"album_name": album.name, "position": queued}
            )
            queued += 1
        if found % 25 == 0:
            task_services.task_status_update(task_id=run_id, status_message=f"Listed {found} albums", progress=2)
    return found, queued


def _album_is_done(track_ids: list[str], model_version: str) -> bool:
    """Every track analysed with the current models, or known to be unanalysable."""
    analysed = Track.objects.filter(
        item_id__in=track_ids, analysis__model_version=model_version, embedding__isnull=False
    ).values_list("item_id", flat=True)
    failed = AnalysisFailure.objects.filter(item_id__in=track_ids).values_list("item_id", flat=True)
    return set(track_ids) <= set(analysed) | set(failed)


def analysis_model_version() -> str:
    """The stamp of the models in use; tracks with another stamp get analysed again."""
    from analysis.analyzer import current_model_version

    return current_model_version()


def analysis_advance(*, run_id: str) -> None:
    """Launch the next window of album jobs, or finish the run when all are done.

    Called by each window's chord callback and by the reconciler; the row lock
    makes a second, simultaneous call a no-op.
    """
    with transaction.atomic():
        run = TaskStatus.objects.select_for_update().filter(task_id=run_id).first()
        if run is None or run.status in TERMINAL_STATES:
            return
        if TaskStatus.objects.filter(parent_id=run_id, status__in=ACTIVE_STATES).exists():
            return  # the current window is still running
        _refresh_progress(run_id)
        pending = list(
            AlbumWork.objects.filter(run_id=run_id, child__isnull=True).order_by("position")[
                : settings.MAX_QUEUED_ANALYSIS_JOBS
            ]
        )
        _rebuild_index_if_due(run_id, final=not pending)
        if not pending:
            _finish_run(run_id)
            return
        children = [_album_child(run_id, work) for work in pending]
        transaction.on_commit(lambda: _launch_window(run_id, children))


def _album_child(run_id: str, work: AlbumWork) -> tuple[str, str]:
    child = task_services.task_status_create(
        task_id=str(uuid.uuid4()),
        task_type=ALBUM_TASK_TYPE,
        parent_task_id=run_id,
        sub_type_identifier=work.album_id,
        status_message=f"Queued album {work.album_name or work.album_id}",
    )
    work.child = child
    work.save(update_fields=["child"])
    return child.task_id, work.album_id


def _launch_window(run_id: str, children: list[tuple[str, str]]) -> None:
    from analysis.tasks import album_analysis, main_analysis_advance

    header = [
        album_analysis.si(run_id=run_id, album_id=album_id).set(task_id=child_id, queue="default")
        for child_id, album_id in children
    ]
    chord(header)(main_analysis_advance.si(run_id=run_id).set(queue="high"))


def album_restart(*, run_id: str, work: AlbumWork) -> str:
    """Give an album a fresh job (its worker died); returns the new job's id."""
    from analysis.tasks import album_analysis

    with transaction.atomic():
        if work.child_id:
            task_services.task_status_finish(
                task_id=work.child_id, state=TaskState.REVOKED, status_message="Worker lost; album restarted"
            )
        child_id, album_id = _album_child(run_id, work)
        transaction.on_commit(
            lambda: album_analysis.apply_async(
                kwargs={"run_id": run_id, "album_id": album_id}, task_id=child_id, queue="default"
            )
        )
    return child_id


def _rebuild_index_if_due(run_id: str, *, final: bool) -> None:
    from similarity.services import vector_index_rebuild

    run = TaskStatus.objects.get(task_id=run_id)
    completed = run.details.get("albums_completed", 0)
    last = run.details.get("index_built_at_albums", 0)
    if final or completed - last >= settings.REBUILD_INDEX_BATCH_SIZE:
        task_services.task_status_update(task_id=run_id, status_message=f"Rebuilding the index ({completed} albums)")
        vector_index_rebuild()
        task_services.task_status_update(task_id=run_id, counters={"index_built_at_albums": completed})


def _refresh_progress(run_id: str) -> dict:
    """Recount the run from its album jobs and show it on the run's row."""
    children = TaskStatus.objects.filter(parent_id=run_id)
    totals = children.aggregate(
        **{name: Sum(Cast(KeyTextTransform(name, "details"), IntegerField())) for name in TRACK_COUNTERS}
    )
    counters = {name: totals[name] or 0 for name in TRACK_COUNTERS}
    to_do = AlbumWork.objects.filter(run_id=run_id).count()
    done = AlbumWork.objects.filter(run_id=run_id, child__status__in=TERMINAL_STATES).count()
    counters.update(
        albums_completed=done, albums_launched=AlbumWork.objects.filter(run_id=run_id, child__isnull=False).count()
    )
    message = f"Analysed {done}/{to_do} albums: {counters['tracks_analysed']} tracks"
    if counters["tracks_failed"]:
        message += f", {counters['tracks_failed']} failed"
    progress = 5 + int(90 * done / to_do) if to_do else 95
    task_services.task_status_update(task_id=run_id, status_message=message, progress=progress, counters=counters)
    return counters


def analysis_progress_refresh(*, run_id: str) -> None:
    """Called by album jobs as they end, so the run's progress moves between windows."""
    if TaskStatus.objects.filter(task_id=run_id, status__in=ACTIVE_STATES).exists():
        _refresh_progress(run_id)


def _finish_run(run_id: str) -> None:
    counters = _refresh_progress(run_id)
    message = f"Done: {counters['tracks_analysed']} tracks analysed, {counters['tracks_failed']} failed"
    task_services.task_status_finish(task_id=run_id, state=TaskState.SUCCESS, status_message=message)
    logger.info("analysis.run.finished", extra={"task_id": run_id, **counters})


def _fail_run(run_id: str, message: str) -> None:
    """End the run as FAILURE and stop its album jobs; saved tracks stay saved."""
    with transaction.atomic():
        for child_id in TaskStatus.objects.filter(parent_id=run_id, status__in=ACTIVE_STATES).values_list(
            "task_id", flat=True
        ):
            task_services.task_status_finish(task_id=child_id, state=TaskState.REVOKED, status_message=message)
        task_services.task_status_finish(task_id=run_id, state=TaskState.FAILURE, status_message=message)
    logger.error("analysis.run.failed", extra={"task_id": run_id, "reason": message})


def analysis_fail(*, run_id: str, message: str) -> None:
    _fail_run(run_id, message)


def job_cancelled(*, child_id: str, run_id: str) -> bool:
    """True when the album job or its run was cancelled (or failed): stop between tracks."""
    return any_task_ended(child_id, run_id)


def analysis_reconcile() -> dict:
    """Restart album jobs whose worker died and advance runs whose callback was lost."""
    stale_before = timezone.now() - timezone.timedelta(seconds=settings.ANALYSIS_STALE_SECONDS)
    restarted, advanced = 0, 0
    for run in TaskStatus.objects.filter(task_type=MAIN_TASK_TYPE, status__in=ACTIVE_STATES):
        stale = AlbumWork.objects.filter(
            run_id=run.task_id, child__status__in=ACTIVE_STATES, child__updated_at__lt=stale_before
        )
        for work in stale:
            album_restart(run_id=run.task_id, work=work)
            restarted += 1
        planned = AlbumWork.objects.filter(run_id=run.task_id).exists()
        if planned and not TaskStatus.objects.filter(parent_id=run.task_id, status__in=ACTIVE_STATES).exists():
            analysis_advance(run_id=run.task_id)
            advanced += 1
        elif not planned and run.updated_at < stale_before:
            _fail_run(run.task_id, "The worker listing albums was lost; start the analysis again.")
    return {"restarted_albums": restarted, "advanced_runs": advanced}
