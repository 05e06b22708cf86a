"""Runs of registered jobs: plan, launch a bounded window of work items, advance, finish, fail, reconcile.

A run is a main TaskStatus row with one WorkItem row per unit of work; each item is
done by a child task (``scheduling.work_item``). Every decision is taken from the
database under a row lock on the run, so any step may run twice.

Fan-out is a sliding window: each work item, when it ends, queues ``scheduling.advance``,
which fills the window's free slots (or finishes the run). It is preferred to a Celery
chord per window because a slow item never holds back the next ones (a chord waits for
its whole header), nothing depends on the result backend or on chord unlocking, and a
lost advance is simply what the beat reconciler does anyway: one code path decides.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from celery import current_app
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from scheduling import registry, selectors
from scheduling import services as task_services
from scheduling.errors import JobFailed
from scheduling.models import ACTIVE_STATES, TERMINAL_STATES, TaskState, TaskStatus, WorkItem
from scheduling.registry import JobType, Outcome, RunCounts

logger = logging.getLogger(__name__)

# The run's phase, in its details: planning (absent), running its items, finishing.
PHASE_RUNNING = "running"
PHASE_FINISHING = "finishing"
PHASE_DONE = "done"


def run_start(*, task_type: str, details: dict | None = None, status_message: str = "Queued") -> TaskStatus:
    """Record a run of a registered job and queue its planning (TaskConflict if it must run alone and cannot)."""
    job = _job(task_type)
    task_id = str(uuid.uuid4())
    with transaction.atomic():
        if job.exclusive:
            run = task_services.task_status_claim_exclusive(
                task_id=task_id, task_type=task_type, status_message=status_message
            )
        else:
            run = task_services.task_status_create(task_id=task_id, task_type=task_type, status_message=status_message)
        if details:
            run.details.update(details)
            run.save(update_fields=["details", "updated_at"])
        transaction.on_commit(lambda: _send("scheduling.plan", task_id=task_id, run_id=task_id))
    return run


def run_plan(*, run_id: str) -> None:
    """Ask the job for its work items, record them and launch the first window."""
    run = TaskStatus.objects.get(task_id=run_id)
    job = _job(run.task_type)
    if selectors.any_task_ended(run_id):
        return
    try:
        plan = job.plan(run_id, run.details)
    except JobFailed as exc:
        run_fail(run_id=run_id, message=str(exc))
        return
    if selectors.any_task_ended(run_id):
        return
    for position, spec in enumerate(plan.items):
        WorkItem.objects.get_or_create(
            run_id=run_id, key=spec.key, defaults={"label": spec.label, "params": spec.params, "position": position}
        )
    task_services.task_status_update(
        task_id=run_id,
        status_message=plan.status_message or f"Planned {len(plan.items)} {job.item_noun}",
        progress=5,
        counters={**plan.counters, "phase": PHASE_RUNNING},
    )
    run_advance(run_id=run_id)


def run_advance(*, run_id: str) -> None:
    """Deal with lost items, launch items into the window's free slots, or finish the run.

    Called when each item ends and by the reconciler; the row lock makes a second,
    simultaneous call see the first one's launches.
    """
    with transaction.atomic():
        run = TaskStatus.objects.select_for_update().filter(task_id=run_id).first()
        if run is None or run.status in TERMINAL_STATES or run.details.get("phase") != PHASE_RUNNING:
            return
        job = _job(run.task_type)
        _lost_items_handle(job, run)
        counts = _progress_refresh(job, run)
        cap = job.knob("max_failed_items", run.details)
        if cap is not None and counts.failed > cap:
            run_fail(run_id=run_id, message=f"{counts.failed} {job.item_noun} failed (limit {cap})")
            return
        free = max(job.knob("window", run.details) - counts.active, 0)
        pending = list(WorkItem.objects.filter(run_id=run_id, child__isnull=True).order_by("position")[:free])
        if not pending and counts.active == 0:
            task_services.task_status_update(
                task_id=run_id,
                status_message=f"All {job.item_noun} done: finishing",
                counters={"phase": PHASE_FINISHING},
            )
            transaction.on_commit(lambda: _send("scheduling.finish", run_id=run_id))
            return
        _checkpoint_if_due(job, run, counts)
        launches = [_item_child(job, run_id, item) for item in pending]
        transaction.on_commit(lambda: _launch(run_id, launches))


def _item_child(job: JobType, run_id: str, item: WorkItem) -> tuple[str, int]:
    child = task_services.task_status_create(
        task_id=str(uuid.uuid4()),
        task_type=job.item_type,
        parent_task_id=run_id,
        sub_type_identifier=item.key,
        status_message=f"Queued {item.label or item.key}",
    )
    item.child = child
    item.save(update_fields=["child"])
    return child.task_id, item.pk


def _launch(run_id: str, launches: list[tuple[str, int]]) -> None:
    for child_id, item_id in launches:
        _send("scheduling.work_item", task_id=child_id, queue="default", run_id=run_id, item_id=item_id)


def _send(name: str, *, task_id: str | None = None, queue: str = "high", **kwargs) -> None:
    # By name: the tasks module calls this one, so importing it here would be a cycle.
    current_app.send_task(name, kwargs=kwargs, task_id=task_id, queue=queue)


def _lost_items_handle(job: JobType, run: TaskStatus) -> None:
    """Items without a status update for stale_seconds (queued ones: one period per window slot) lost their worker."""
    stale = timezone.timedelta(seconds=job.knob("stale_seconds", run.details))
    now = timezone.now()
    queued_cutoff = now - stale * max(job.knob("window", run.details), 1)
    lost = WorkItem.objects.filter(run_id=run.task_id, child__status__in=ACTIVE_STATES).filter(
        Q(child__started_at__isnull=False, child__updated_at__lt=now - stale)
        | Q(child__started_at__isnull=True, child__created_at__lt=queued_cutoff)
    )
    for item in lost.select_related("child"):
        if job.restart_lost_items:
            old_child = item.child_id
            task_services.task_status_finish(
                task_id=old_child, state=TaskState.REVOKED, status_message="Worker lost; restarted"
            )
            child_id, item_id = _item_child(job, run.task_id, item)
            transaction.on_commit(
                lambda child_id=child_id, item_id=item_id: _launch(run.task_id, [(child_id, item_id)])
            )
        else:
            task_services.task_status_finish(
                task_id=item.child_id,
                state=TaskState.FAILURE,
                status_message=f"Timed out after {stale.total_seconds() / 60:g} minutes without progress",
            )
            transaction.on_commit(lambda child_id=item.child_id: task_services.tasks_revoke_in_celery([child_id]))


def _progress_refresh(job: JobType, run: TaskStatus) -> RunCounts:
    """Recount the run from its items and show it on the run's row."""
    totals = WorkItem.objects.filter(run_id=run.task_id).aggregate(
        total=Count("id"),
        launched=Count("child"),
        completed=Count("id", filter=Q(child__status__in=TERMINAL_STATES)),
        # A child cancelled on its own (REVOKED) is done, not failed.
        failed=Count("id", filter=Q(child__status=TaskState.FAILURE)),
        active=Count("id", filter=Q(child__status__in=ACTIVE_STATES)),
    )
    counts = RunCounts(run_id=run.task_id, details=run.details, **totals)
    message, counters = f"{counts.completed}/{counts.total} {job.item_noun} done", {}
    if job.progress is not None:
        message, counters = job.progress(counts)
    progress = 5 + int(90 * counts.completed / counts.total) if counts.total else 95
    task_services.task_status_update(
        task_id=run.task_id,
        status_message=message,
        progress=progress,
        counters={"items_total": counts.total, "items_completed": counts.completed, **counters},
    )
    return counts


def _checkpoint_if_due(job: JobType, run: TaskStatus, counts: RunCounts) -> None:
    """Mark the checkpoint under the lock (so only one advance takes it) and take it after the commit."""
    every = job.knob("checkpoint_every", run.details)
    if job.checkpoint is None or not every:
        return
    if counts.completed - run.details.get("checkpoint_at_items", 0) < every:
        return
    task_services.task_status_update(task_id=run.task_id, counters={"checkpoint_at_items": counts.completed})
    transaction.on_commit(lambda: _checkpoint_take(job, run.task_id))


def _checkpoint_take(job: JobType, run_id: str) -> None:
    try:
        job.checkpoint(run_id)
    except Exception:
        # A checkpoint is an early, partial result: the run goes on and its finish does it again.
        logger.exception("job.checkpoint.failed", extra={"task_id": run_id})


def item_do(*, child_id: str, run_id: str, item_id: int) -> None:
    """Do one work item and record how it ended; raises what the job's work function raises.

    JobFailed from the work function fails the whole run (e.g. the media server is gone).
    """
    item = WorkItem.objects.select_related("run").get(pk=item_id)
    if selectors.any_task_ended(child_id, run_id):
        return
    context = WorkContext(run_id=run_id, child_id=child_id, item=item, details=item.run.details)
    try:
        outcome = _job(item.run.task_type).work(context)
    except JobFailed as exc:
        task_services.task_status_finish(task_id=child_id, state=TaskState.FAILURE, status_message=str(exc))
        run_fail(run_id=run_id, message=str(exc))
        return
    if outcome is None:
        task_services.task_status_finish(
            task_id=child_id, state=TaskState.REVOKED, status_message="Cancelled: result discarded"
        )
        return
    for line in outcome.log:
        task_services.task_status_update(task_id=child_id, status_message=line)
    task_services.task_status_finish(
        task_id=child_id, state=TaskState.SUCCESS, status_message=outcome.status_message, counters=outcome.counters
    )


def item_retries(*, run_id: str) -> int:
    """How many times a failing item is tried again before it counts as failed."""
    run = TaskStatus.objects.get(task_id=run_id)
    return _job(run.task_type).knob("retries", run.details) or 0


def item_fail(*, child_id: str, message: str) -> None:
    task_services.task_status_finish(task_id=child_id, state=TaskState.FAILURE, status_message=message)


def item_ended(*, run_id: str) -> None:
    """Queue the run's advance: every item calls this as it ends, whatever the outcome."""
    _send("scheduling.advance", run_id=run_id)


def run_finish(*, run_id: str) -> None:
    """Run the job's finish function once every item ended, and end the run as SUCCESS."""
    run = TaskStatus.objects.get(task_id=run_id)
    if run.status in TERMINAL_STATES:
        return
    job = _job(run.task_type)
    try:
        outcome = job.finish(run_id) if job.finish else None
    except JobFailed as exc:
        run_fail(run_id=run_id, message=str(exc))
        return
    outcome = outcome or Outcome(status_message=f"Done: {run.details.get('items_total', 0)} {job.item_noun}")
    task_services.task_status_finish(
        task_id=run_id,
        state=TaskState.SUCCESS,
        status_message=outcome.status_message,
        counters={**outcome.counters, "phase": PHASE_DONE},
    )
    logger.info("job.run.finished", extra={"task_id": run_id, "task_type": run.task_type})


def run_fail(*, run_id: str, message: str) -> None:
    """End the run as FAILURE and stop its active items; what they saved stays saved."""
    with transaction.atomic():
        for child_id in TaskStatus.objects.filter(parent_id=run_id, status__in=ACTIVE_STATES).values_list(
            "task_id", flat=True
        ):
            task_services.task_status_finish(task_id=child_id, state=TaskState.REVOKED, status_message=message)
        task_services.task_status_finish(task_id=run_id, state=TaskState.FAILURE, status_message=message)
    logger.error("job.run.failed", extra={"task_id": run_id, "reason": message})


def runs_reconcile() -> dict:
    """Advance running runs (restarting or timing out lost items); fail runs lost while planning or finishing."""
    advanced, failed = 0, 0
    runs = TaskStatus.objects.filter(task_type__in=registry.job_names(), parent__isnull=True, status__in=ACTIVE_STATES)
    for run in runs:
        if run.details.get("phase") == PHASE_RUNNING:
            run_advance(run_id=run.task_id)
            advanced += 1
            continue
        stale = timezone.timedelta(seconds=_job(run.task_type).knob("stale_seconds", run.details))
        if run.updated_at < timezone.now() - stale:
            run_fail(run_id=run.task_id, message="The worker running the job was lost; start it again.")
            failed += 1
    return {"advanced_runs": advanced, "failed_runs": failed}


def _job(task_type: str) -> JobType:
    job = registry.job_type(task_type)
    if job is None:
        raise LookupError(f"No job is registered for task type {task_type!r}")
    return job


@dataclass(frozen=True)
class WorkContext:
    """What a work-item function gets: its item, its run's details, and the cancel check to make between units."""

    run_id: str
    child_id: str
    item: WorkItem
    details: dict

    @property
    def key(self) -> str:
        return self.item.key

    @property
    def params(self) -> dict:
        return self.item.params

    def cancelled(self) -> bool:
        """True when the item or its run was cancelled, failed or timed out: stop between units of work."""
        return selectors.any_task_ended(self.child_id, self.run_id)
