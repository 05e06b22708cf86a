"""The analyser of this process: settings turned into the framework-free analysis engine's config and models.

Loading the ONNX models is the expensive part, so a worker process loads them
once and reuses them for every track it analyses.
"""

from __future__ import annotations

import functools
from pathlib import Path

from analysis.audio.analyze import AnalysisConfig, AnalysisResult, ModelSet, analyze_file
from analysis.audio.inference import usable_cpu_count
from common.config import setting


def analysis_config() -> AnalysisConfig:
    return AnalysisConfig(
        max_duration_seconds=setting("AUDIO_MAX_DURATION"),
        load_timeout_seconds=setting("AUDIO_LOAD_TIMEOUT"),
        top_n_moods=setting("TOP_N_MOODS"),
        tempo_min_bpm=setting("TEMPO_MIN_BPM"),
        tempo_max_bpm=setting("TEMPO_MAX_BPM"),
        energy_min_dbfs=setting("ENERGY_MIN"),
        energy_max_dbfs=setting("ENERGY_MAX"),
        tag_models=tuple(setting("ANALYSIS_TAG_MODELS")),
        batch_size=setting("ANALYSIS_BATCH_SIZE"),
        embedding_model_path=_optional_path("EMBEDDING_MODEL_PATH"),
        prediction_model_path=_optional_path("PREDICTION_MODEL_PATH"),
        threads=_threads_per_worker_process(),
    )


def _optional_path(name: str) -> Path | None:
    value = setting(name)
    return Path(value) if value else None


def _threads_per_worker_process() -> int:
    """Share the cores between a worker's processes instead of each one spinning on all of them."""
    cores = usable_cpu_count()
    return max(1, cores // (setting("CELERY_WORKER_CONCURRENCY") or cores))


@functools.cache
def model_set() -> ModelSet:
    return ModelSet.load(model_dir=Path(setting("MODEL_DIR")), config=analysis_config())


def current_model_version() -> str:
    """The version stamp new analyses get; rows with another stamp are re-analysed."""
    return model_set().version


def analyze_path(path: Path) -> AnalysisResult:
    return analyze_file(path, models=model_set(), config=analysis_config())
