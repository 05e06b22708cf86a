"""Start a clustering job from the shell, optionally waiting with a progress bar."""

import time

from django.core.management.base import BaseCommand, CommandError

from clustering import jobs
from scheduling.errors import TaskConflict
from scheduling.models import TERMINAL_STATES, TaskState, TaskStatus

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Start clustering (a Celery worker must be running); --wait prints progress until it ends."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, help="clustering_runs for this job (default: CLUSTERING_RUNS)")
        parser.add_argument("--wait", action="store_true", help="wait for the job and show its progress")
        parser.add_argument("--poll", type=float, default=2.0, help="seconds between progress lines with --wait")

    def handle(self, *args, runs=None, wait=False, poll=2.0, **options):
        params = {} if runs is None else {"clustering_runs": runs}
        try:
            run = jobs.clustering_start(params=params)
        except TaskConflict as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Started main_clustering {run.task_id}")
        if wait:
            self._wait(task_id=run.task_id, poll=poll)

    def _wait(self, *, task_id: str, poll: float) -> None:
        last_line = ""
        while True:
            task = TaskStatus.objects.get(task_id=task_id)
            line = progress_line(progress=task.progress, message=task.details.get("status_message", ""))
            if line != last_line:
                self.stdout.write(line)
                last_line = line
            if task.status in TERMINAL_STATES:
                break
            time.sleep(poll)
        if task.status != TaskState.SUCCESS:
            raise CommandError(f"Clustering ended {task.status}: {task.details.get('status_message', '')}")


def progress_line(*, progress: int, message: str) -> str:
    """``[#########.....................]  30% Progress: 300/1000 runs. ...``"""
    filled = BAR_WIDTH * max(0, min(100, progress)) // 100
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {progress:3d}% {message}"
