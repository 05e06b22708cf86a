"""The bridge from settings to the framework-free analysis engine, one per process.

Loading the ONNX models is the expensive part, so a worker process loads them
once and reuses them for every track it analyses.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings

from analysis.audio.analyze import AnalysisConfig, ModelSet, TrackAnalysis, analyze_file
from analysis.audio.inference import usable_cpu_count


def analysis_config() -> AnalysisConfig:
    return AnalysisConfig(
        max_duration_seconds=settings.AUDIO_MAX_DURATION,
        load_timeout_seconds=settings.AUDIO_LOAD_TIMEOUT,
        top_n_moods=settings.TOP_N_MOODS,
        tempo_min_bpm=settings.TEMPO_MIN_BPM,
        tempo_max_bpm=settings.TEMPO_MAX_BPM,
        energy_min_dbfs=settings.ENERGY_MIN,
        energy_max_dbfs=settings.ENERGY_MAX,
        tag_models=tuple(settings.ANALYSIS_TAG_MODELS),
        batch_size=settings.ANALYSIS_BATCH_SIZE,
        embedding_model_path=Path(settings.EMBEDDING_MODEL_PATH) if settings.EMBEDDING_MODEL_PATH else None,
        prediction_model_path=Path(settings.PREDICTION_MODEL_PATH) if settings.PREDICTION_MODEL_PATH else None,
        threads=_threads_per_worker_process(),
    )


def _threads_per_worker_process() -> int:
    """Share the cores between a worker's processes instead of each one spinning on all of them."""
    cores = usable_cpu_count()
    return max(1, cores // (settings.CELERY_WORKER_CONCURRENCY or cores))


@functools.cache
def model_set() -> ModelSet:
    return ModelSet.load(model_dir=Path(settings.MODEL_DIR), config=analysis_config())


def current_model_version() -> str:
    """The version stamp new analyses get; rows with another stamp are re-analysed."""
    return model_set().version


def analyze_path(path: Path) -> TrackAnalysis:
    return analyze_file(path, models=model_set(), config=analysis_config())
