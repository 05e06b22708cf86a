"""Celery tasks of the analysis app; the analysis job itself runs on the scheduling app's tasks."""

from __future__ import annotations

from celery import shared_task

from analysis.cleaning import cleaning_run
from scheduling.task_base import TrackedTask


@shared_task(bind=True, base=TrackedTask, task_type="cleaning", name="analysis.cleaning", ignore_result=True)
def cleaning(self):
    return cleaning_run(task_id=self.request.id)
