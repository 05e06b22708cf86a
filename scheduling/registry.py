"""The background jobs the apps register: scheduling runs them without knowing their names.

An app registers, in its ``AppConfig.ready``:

- a main task type that must never overlap another (``register_main_task``), such as
  a cleaning run that does its work in one task; or
- a job (``register_job``): a main task that plans work items and has each one done
  by a child task on the workers, a bounded window at a time (see ``scheduling.runs``).

A new background job needs a plan function, a work-item function and a ``JobType``;
status rows, progress, cancel, the reconciler and the one-main-task rule come with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# A knob is a number, or a function of the run's details (its start parameters) giving one,
# so a job can read settings when it runs rather than when it registers.
Knob = int | Callable[[dict], int | None] | None


@dataclass(frozen=True)
class WorkItemSpec:
    """One unit of work a plan asks for: ``key`` is unique in the run and names the child task."""

    key: str
    label: str = ""
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """What a plan function returns: the items, and a line (and counters) for the run's status."""

    items: list[WorkItemSpec]
    status_message: str = ""
    counters: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """How a work item (or a whole run, from its finish function) ended: its closing line and counters.

    A work-item function returns ``None`` instead when it stopped because it was cancelled.
    """

    status_message: str = "Done"
    counters: dict = field(default_factory=dict)
    log: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RunCounts:
    """How far a run is, counted from its work items; given to a job's progress function."""

    run_id: str
    details: dict
    total: int
    launched: int
    completed: int
    failed: int
    active: int


@dataclass(frozen=True)
class JobType:
    """A registered job.

    name: the run's task type (its main TaskStatus row); item_type: its children's.
    plan(run_id, details) -> Plan; may raise JobFailed.
    work(context) -> Outcome, or None when cancelled; may raise JobFailed to fail the whole run,
      any other error fails the item after ``retries`` attempts.
    finish(run_id) -> Outcome (closing line and counters), run in its own task once every
      item ended; may raise JobFailed.
    progress(counts) -> (status message, counters) shown on the run while items end.
    window: items in flight at once. stale_seconds: an item (or a run still planning or
      finishing) without a status update for that long has lost its worker.
    restart_lost_items: a lost item gets a fresh child (True) or counts as failed (False).
    max_failed_items: failed items past this fail the run (None: no cap).
    checkpoint(run_id), every ``checkpoint_every`` completed items, after the advance commits.
    """

    name: str
    item_type: str
    plan: Callable[[str, dict], Plan]
    work: Callable[[Any], Outcome | None]
    finish: Callable[[str], Outcome | None] | None = None
    progress: Callable[[RunCounts], tuple[str, dict]] | None = None
    window: Knob = 1
    stale_seconds: Knob = 900
    restart_lost_items: bool = True
    retries: Knob = 0
    max_failed_items: Knob = None
    item_noun: str = "items"
    checkpoint: Callable[[str], None] | None = None
    checkpoint_every: Knob = None
    exclusive: bool = True

    def knob(self, name: str, details: dict) -> int | None:
        value = getattr(self, name)
        return value(details) if callable(value) else value


_JOBS: dict[str, JobType] = {}
# Main task types, and whether each must run alone (the 409 rule).
_MAIN_TASKS: dict[str, bool] = {}


def register_main_task(name: str, *, exclusive: bool = True) -> None:
    """A top-level task type: listed by the status API, and (if exclusive) never two at once."""
    _MAIN_TASKS[name] = exclusive


def register_job(job: JobType) -> JobType:
    _JOBS[job.name] = job
    register_main_task(job.name, exclusive=job.exclusive)
    return job


def job_type(name: str) -> JobType | None:
    return _JOBS.get(name)


def job_names() -> Iterable[str]:
    return tuple(_JOBS)


def main_task_types() -> tuple[str, ...]:
    return tuple(_MAIN_TASKS)


def exclusive_task_types() -> tuple[str, ...]:
    return tuple(name for name, exclusive in _MAIN_TASKS.items() if exclusive)
