"""Cleaning: forget tracks the media server no longer has, a bounded number per run."""

from __future__ import annotations

import logging
import uuid

from celery import current_app
from django.db import transaction

from analysis import services
from analysis.models import AnalysisFailure, Track
from analysis.signals import library_changed
from common.config import setting
from mediaservers.errors import MediaServerError
from mediaservers.selectors import current_adapter
from scheduling import services as task_services
from scheduling.models import TaskState, TaskStatus

logger = logging.getLogger(__name__)

TASK_TYPE = "cleaning"
NAMES_SHOWN = 50


def cleaning_start() -> TaskStatus:
    """Claim the exclusive slot and queue a cleaning run (TaskConflict if busy)."""
    task_id = str(uuid.uuid4())
    with transaction.atomic():
        task = task_services.task_status_claim_exclusive(task_id=task_id, task_type=TASK_TYPE)
        # Enqueued by name: analysis.tasks imports this module.
        transaction.on_commit(lambda: current_app.send_task("analysis.cleaning", task_id=task_id, queue="high"))
    return task


def cleaning_run(*, task_id: str) -> dict:
    """Delete (up to CLEANING_SAFETY_LIMIT) tracks missing from the server, then rebuild the index."""
    task_services.task_status_update(task_id=task_id, status_message="Listing the media server's tracks", progress=5)
    try:
        with current_adapter() as adapter:
            on_server = {track.id for track in adapter.iter_tracks()}
    except MediaServerError as exc:
        return _finish(task_id, TaskState.FAILURE, f"Media server error, nothing deleted: {exc}", {})
    known = set(Track.objects.values_list("item_id", flat=True))
    if not on_server and known:
        message = "The media server listed no tracks at all; nothing deleted (check MUSIC_LIBRARIES and credentials)"
        return _finish(task_id, TaskState.FAILURE, message, {"orphans_found": len(known)})
    orphans = sorted(known - on_server)
    limit = setting("CLEANING_SAFETY_LIMIT")
    chosen = orphans[:limit] if limit else orphans
    names = [str(track) for track in Track.objects.filter(item_id__in=chosen[:NAMES_SHOWN])]
    task_services.task_status_update(task_id=task_id, status_message=f"Deleting {len(chosen)} tracks", progress=50)
    deleted = services.tracks_delete(item_ids=chosen)
    AnalysisFailure.objects.filter(item_id__in=chosen).delete()
    if deleted:
        library_changed.send(sender=__name__, reason="cleaning")
    counters = {"orphans_found": len(orphans), "deleted": deleted, "capped": len(chosen) < len(orphans),
                "deleted_tracks": names}  # fmt: skip
    return _finish(task_id, TaskState.SUCCESS, _summary(deleted, len(orphans), limit), counters)


def _summary(deleted: int, found: int, limit: int) -> str:
    if found == 0:
        return "Nothing to clean: every known track is still on the media server"
    message = f"Deleted {deleted} of {found} tracks no longer on the media server"
    if deleted < found:
        message += f" (safety limit CLEANING_SAFETY_LIMIT={limit}; run cleaning again for the rest)"
    return message


def _finish(task_id: str, state: str, message: str, counters: dict) -> dict:
    task_services.task_status_finish(task_id=task_id, state=state, status_message=message, counters=counters)
    logger.info("analysis.cleaning.finished", extra={"task_id": task_id, "state": state})
    return counters
