"""The Cleaning page: what the last cleaning removed, and a button to start one (staff)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from common.config import setting
from scheduling.models import TaskStatus
from scheduling.selectors import active_main_task, task_status_payload_or_none

CLEANING_TASK_TYPE = "cleaning"


@login_required
def cleaning(request):
    last_cleaning = TaskStatus.objects.filter(parent__isnull=True, task_type=CLEANING_TASK_TYPE).first()
    context = {
        "safety_limit": setting("CLEANING_SAFETY_LIMIT"),
        "last_cleaning": last_cleaning,
        "result": _cleaning_result(last_cleaning),
        # Another main task may be running (cleaning waits for it): show that one first.
        "initial_task": task_status_payload_or_none(active_main_task() or last_cleaning),
    }
    return render(request, "analysis/cleaning.html", context)


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
