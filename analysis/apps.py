import logging
import time

from celery.signals import worker_init
from django.apps import AppConfig

logger = logging.getLogger(__name__)


class AnalysisConfig(AppConfig):
    name = "analysis"

    def ready(self) -> None:
        # Imported once the models are loaded: registers the analysis job and cleaning with scheduling.
        from analysis import jobs

        jobs.register()
        worker_init.connect(warm_up_before_fork, weak=False, dispatch_uid="analysis.warm_up_before_fork")


def warm_up_before_fork(**_signal_kwargs) -> None:
    """Runs in the worker's main process before its pool forks (Celery's worker_init)."""
    from analysis.audio.warmup import warm_up_signal_features  # librosa stays out of web processes

    started = time.monotonic()
    warm_up_signal_features()
    logger.info("analysis.worker.warmed_up", extra={"seconds": round(time.monotonic() - started, 2)})
