"""Project-level pages: the dashboard and cleaning; their live parts poll the task API."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from analysis.models import AnalysisFailure
from analysis.selectors import library_counts
from scheduling.models import TaskStatus
from scheduling.selectors import active_main_task, last_main_task, task_status_payload

CLEANING_TASK_TYPE = "cleaning"
RECENT_TASKS_SHOWN = 10


@login_required
def dashboard(request):
    context = {
        "counts": {**library_counts(), "failures": AnalysisFailure.objects.count()},
        "initial_task": _status_payload(active_main_task() or last_main_task()),
        "recent_tasks": TaskStatus.objects.filter(parent__isnull=True)[:RECENT_TASKS_SHOWN],
        "default_top_n_moods": settings.TOP_N_MOODS,
    }
    return render(request, "audiomuse/dashboard.html", context)


@login_required
def cleaning(request):
    last_cleaning = TaskStatus.objects.filter(parent__isnull=True, task_type=CLEANING_TASK_TYPE).first()
    context = {
        "safety_limit": settings.CLEANING_SAFETY_LIMIT,
        "last_cleaning": last_cleaning,
        "result": _cleaning_result(last_cleaning),
        # Another main task may be running (cleaning waits for it): show that one first.
        "initial_task": _status_payload(active_main_task() or last_cleaning),
    }
    return render(request, "audiomuse/cleaning.html", context)


def _status_payload(task: TaskStatus | None) -> dict | None:
    return task_status_payload(task) if task is not None else None


def _cleaning_result(task: TaskStatus | None) -> dict | None:
    """What a finished cleaning reported; None before one has counted anything."""
    details = task.details if task is not None else {}
    if "deleted" not in details:
        return None
    names = details.get("deleted_tracks", [])
    return {
        "orphans_found": details.get("orphans_found", 0),
        "deleted": details["deleted"],
        "capped": details.get("capped", False),
        "names": names,
        # The task keeps only the first names; say how many it left out.
        "names_not_shown": max(0, details["deleted"] - len(names)),
    }
