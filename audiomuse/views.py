"""Project-level pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from analysis.selectors import library_counts
from scheduling.models import TaskStatus


@login_required
def dashboard(request):
    tasks = TaskStatus.objects.filter(parent__isnull=True)[:10]
    return render(request, "audiomuse/dashboard.html", {"counts": library_counts(), "tasks": tasks})
