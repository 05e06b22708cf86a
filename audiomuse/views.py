"""The dashboard: the project's front page, assembled from what each app shows; its live parts poll the task API."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from analysis.models import AnalysisFailure
from analysis.selectors import library_counts
from clustering.views import clustering_form, generated_playlists_shown
from scheduling.models import TaskStatus
from scheduling.selectors import active_main_task, last_main_task, task_status_payload_or_none

RECENT_TASKS_SHOWN = 10


@login_required
def dashboard(request):
    context = {
        "counts": {**library_counts(), "failures": AnalysisFailure.objects.count()},
        "initial_task": task_status_payload_or_none(active_main_task() or last_main_task()),
        "recent_tasks": TaskStatus.objects.filter(parent__isnull=True)[:RECENT_TASKS_SHOWN],
        "playlists": generated_playlists_shown(),
    }
    if request.user.is_staff:
        context["clustering_form"] = clustering_form()
    return render(request, "audiomuse/dashboard.html", context)
