"""The clustering settings, read at call time (never at import) with AudioMuse-AI's names.

This is the one module of the clustering app that reads Django settings: it
turns them into the engine's ``ClusteringConfig`` plus the orchestration
knobs, and applies the loose overrides of ``POST /api/clustering/start``.
Every default lives in the settings module; the genre list used for
stratified sampling is the engine's own, as AudioMuse-AI's is not a setting.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from analysis.audio.labels import MSD_LABELS
from clustering.engine import ClusteringConfig, defaults
from common.api.params import bool_param, int_param
from common.config import setting
from similarity.config import similarity_config

# Request caps that are not settings in AudioMuse-AI either.
MAX_CLUSTERING_RUNS = 100_000
MAX_CLUSTER_COUNT = 1000
MAX_PCA_COMPONENTS = 199
MAX_TOP_N_MOODS = 50


@dataclass(frozen=True)
class OrchestrationSettings:
    """How a clustering job is cut into Celery batches and when it gives up."""

    iterations_per_batch: int
    max_concurrent_batches: int
    batch_timeout_minutes: int
    max_failed_batches: int
    db_fetch_chunk_size: int


def orchestration_settings() -> OrchestrationSettings:
    return OrchestrationSettings(
        iterations_per_batch=max(1, setting("ITERATIONS_PER_BATCH_JOB")),
        max_concurrent_batches=max(1, setting("MAX_CONCURRENT_BATCH_JOBS")),
        batch_timeout_minutes=max(1, setting("CLUSTERING_BATCH_TIMEOUT_MINUTES")),
        max_failed_batches=max(0, setting("CLUSTERING_MAX_FAILED_BATCHES")),
        db_fetch_chunk_size=max(10, setting("DB_FETCH_CHUNK_SIZE")),
    )


def mood_labels() -> tuple[str, ...]:
    """The mood vocabulary clustered on: the MSD tags, as in AudioMuse-AI's MOOD_LABELS."""
    return tuple(MSD_LABELS)


def tempo_range_bpm() -> tuple[float, float]:
    return (float(setting("TEMPO_MIN_BPM")), float(setting("TEMPO_MAX_BPM")))


def clustering_config_from_settings() -> ClusteringConfig:
    """The engine configuration with every value taken from settings."""
    return ClusteringConfig(
        clustering_runs=max(1, setting("CLUSTERING_RUNS")),
        search=_search_space(),
        evolution=defaults.EvolutionSettings(
            top_n_elites=setting("TOP_N_ELITES"),
            exploitation_start_fraction=setting("EXPLOITATION_START_FRACTION"),
            exploitation_probability=setting("EXPLOITATION_PROBABILITY_CONFIG"),
            mutation_int_abs_delta=setting("MUTATION_INT_ABS_DELTA"),
            mutation_float_abs_delta=setting("MUTATION_FLOAT_ABS_DELTA"),
        ),
        sampling=defaults.SamplingSettings(
            min_songs_per_genre=setting("MIN_SONGS_PER_GENRE_FOR_STRATIFICATION"),
            target_percentile=setting("STRATIFIED_SAMPLING_TARGET_PERCENTILE"),
            change_per_run=setting("SAMPLING_PERCENTAGE_CHANGE_PER_RUN"),
        ),
        fitness=defaults.FitnessSettings(
            weights=defaults.ScoreWeights(
                **{name: setting(name_of_setting) for name, name_of_setting in _WEIGHTS.items()}
            ),
            top_k_moods_for_purity=setting("TOP_K_MOODS_FOR_PURITY_CALCULATION"),
            active_moods_per_song=setting("TOP_N_MOODS"),
            max_distance=setting("MAX_DISTANCE"),
        ),
        postprocessing=_postprocessing(),
    )


def _search_space() -> defaults.SearchSpace:
    ranges = {field: (setting(low), setting(high)) for field, (low, high) in _RANGES.items()}
    return defaults.SearchSpace(
        algorithm=setting("CLUSTER_ALGORITHM"),
        use_embeddings=setting("ENABLE_CLUSTERING_EMBEDDINGS"),
        gmm_covariance_type=setting("GMM_COVARIANCE_TYPE"),
        **ranges,
    )


def _postprocessing() -> defaults.PostProcessingSettings:
    return defaults.PostProcessingSettings(
        top_n_playlists=setting("TOP_N_PLAYLISTS"),
        min_playlist_size_for_top_n=setting("MIN_PLAYLIST_SIZE_FOR_TOP_N"),
        max_songs_per_cluster=setting("MAX_SONGS_PER_CLUSTER"),
        max_songs_per_artist=setting("MAX_SONGS_PER_ARTIST"),
        duplicate_distance_threshold_cosine=setting("DUPLICATE_DISTANCE_THRESHOLD_COSINE"),
        duplicate_distance_check_lookback=setting("DUPLICATE_DISTANCE_CHECK_LOOKBACK"),
    )


# SearchSpace range field -> (min setting, max setting); the request parameters are the
# lower-case setting names (num_clusters_min, ...).
_RANGES = {
    "num_clusters": ("NUM_CLUSTERS_MIN", "NUM_CLUSTERS_MAX"),
    "dbscan_eps": ("DBSCAN_EPS_MIN", "DBSCAN_EPS_MAX"),
    "dbscan_min_samples": ("DBSCAN_MIN_SAMPLES_MIN", "DBSCAN_MIN_SAMPLES_MAX"),
    "gmm_n_components": ("GMM_N_COMPONENTS_MIN", "GMM_N_COMPONENTS_MAX"),
    "spectral_n_clusters": ("SPECTRAL_N_CLUSTERS_MIN", "SPECTRAL_N_CLUSTERS_MAX"),
    "pca_components": ("PCA_COMPONENTS_MIN", "PCA_COMPONENTS_MAX"),
}

# ScoreWeights field -> setting; the request parameters are the lower-case setting names.
_WEIGHTS = {
    "diversity": "SCORE_WEIGHT_DIVERSITY",
    "purity": "SCORE_WEIGHT_PURITY",
    "other_feature_diversity": "SCORE_WEIGHT_OTHER_FEATURE_DIVERSITY",
    "other_feature_purity": "SCORE_WEIGHT_OTHER_FEATURE_PURITY",
    "silhouette": "SCORE_WEIGHT_SILHOUETTE",
    "davies_bouldin": "SCORE_WEIGHT_DAVIES_BOULDIN",
    "calinski_harabasz": "SCORE_WEIGHT_CALINSKI_HARABASZ",
}

# Range fields whose bounds are counts (integers, at least this much) rather than floats.
_INTEGER_RANGE_MINIMUM = {
    "num_clusters": 2,
    "dbscan_min_samples": 1,
    "gmm_n_components": 2,
    "spectral_n_clusters": 2,
    "pca_components": 0,
}


def clustering_config_with_overrides(*, base: ClusteringConfig, params: dict[str, Any]) -> ClusteringConfig:
    """``base`` with the request's parameters applied; junk values keep the base value, never an error."""
    search = dataclasses.replace(
        base.search,
        algorithm=_algorithm_param(params.get("clustering_method"), base.search.algorithm),
        use_embeddings=bool_param(params.get("enable_clustering_embeddings"), base.search.use_embeddings),
        **{field: _range_param(params, field=field, base=getattr(base.search, field)) for field in _RANGES},
    )
    weights = dataclasses.replace(
        base.fitness.weights,
        **{name: _float_param(params.get(name_of_setting.lower()), getattr(base.fitness.weights, name), minimum=0.0)
           for name, name_of_setting in _WEIGHTS.items()},
    )  # fmt: skip
    fitness = dataclasses.replace(
        base.fitness,
        weights=weights,
        active_moods_per_song=int_param(
            params.get("top_n_moods"), base.fitness.active_moods_per_song, minimum=1, maximum=MAX_TOP_N_MOODS
        ),
    )
    return dataclasses.replace(
        base,
        clustering_runs=int_param(
            params.get("clustering_runs"), base.clustering_runs, minimum=1, maximum=MAX_CLUSTERING_RUNS
        ),
        search=search,
        fitness=fitness,
        postprocessing=_postprocessing_overrides(params, base=base.postprocessing),
    )


def _postprocessing_overrides(params: dict[str, Any], *, base: defaults.PostProcessingSettings):
    top_n = params.get("top_n_playlists", params.get("min_clustering_top"))
    return dataclasses.replace(
        base,
        top_n_playlists=int_param(top_n, base.top_n_playlists, minimum=0, maximum=MAX_CLUSTER_COUNT),
        max_songs_per_cluster=int_param(params.get("max_songs_per_cluster"), base.max_songs_per_cluster, minimum=0),
    )


def _algorithm_param(value: Any, default: str) -> str:
    text = str(value).strip().lower() if value is not None else ""
    return text if text in defaults.ALGORITHMS else default


def _range_param(params: dict[str, Any], *, field: str, base: tuple) -> tuple:
    """A (min, max) range from ``<field>_min`` / ``<field>_max``; swapped when given upside down."""
    low_name, high_name = (name.lower() for name in _RANGES[field])
    if field in _INTEGER_RANGE_MINIMUM:
        minimum = _INTEGER_RANGE_MINIMUM[field]
        maximum = MAX_PCA_COMPONENTS if field == "pca_components" else MAX_CLUSTER_COUNT
        low = int_param(params.get(low_name), base[0], minimum=minimum, maximum=maximum)
        high = int_param(params.get(high_name), base[1], minimum=minimum, maximum=maximum)
    else:
        low = _float_param(params.get(low_name), base[0], minimum=1e-6)
        high = _float_param(params.get(high_name), base[1], minimum=1e-6)
    return (min(low, high), max(low, high))


def _float_param(value: Any, default: float, *, minimum: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int too large for a float
        return default
    if number != number or number in (float("inf"), float("-inf")):  # NaN or infinite: junk
        return default
    return max(minimum, number)


def ai_naming_params(params: dict[str, Any]) -> dict[str, str]:
    """The AI naming choices of the request, kept on the task row until AI naming exists."""
    names = ("ai_model_provider", "ollama_server_url", "ollama_model_name", "gemini_model_name",
             "mistral_model_name", "openai_model_name")  # fmt: skip
    return {name: str(params[name]) for name in names if params.get(name) not in (None, "")}


def config_defaults() -> dict[str, Any]:
    """The flat ``GET /api/config`` object: clustering, AI naming, path and alchemy defaults."""
    config = clustering_config_from_settings()
    search, post, weights = config.search, config.postprocessing, config.fitness.weights
    payload: dict[str, Any] = {
        "cluster_algorithm": search.algorithm,
        "clustering_runs": config.clustering_runs,
        "enable_clustering_embeddings": search.use_embeddings,
        "max_distance": config.fitness.max_distance,
        "max_songs_per_cluster": post.max_songs_per_cluster,
        "max_songs_per_artist": post.max_songs_per_artist,
        "top_n_playlists": post.top_n_playlists,
        "min_playlist_size_for_top_n": post.min_playlist_size_for_top_n,
        "top_n_moods": config.fitness.active_moods_per_song,
        "mood_labels": list(mood_labels()),
        "num_recent_albums": setting("NUM_RECENT_ALBUMS"),
        "iterations_per_batch_job": orchestration_settings().iterations_per_batch,
        "max_concurrent_batch_jobs": orchestration_settings().max_concurrent_batches,
    }
    for field, (low_setting, high_setting) in _RANGES.items():
        payload[low_setting.lower()], payload[high_setting.lower()] = getattr(search, field)
    payload.update({name_of_setting.lower(): getattr(weights, name) for name, name_of_setting in _WEIGHTS.items()})
    payload.update(_ai_defaults())
    payload.update(_path_and_alchemy_defaults())
    return payload


def _ai_defaults() -> dict[str, Any]:
    return {
        "ai_model_provider": setting("AI_MODEL_PROVIDER"),
        "ollama_server_url": setting("OLLAMA_SERVER_URL"),
        "ollama_model_name": setting("OLLAMA_MODEL_NAME"),
        "gemini_model_name": setting("GEMINI_MODEL_NAME"),
        "mistral_model_name": setting("MISTRAL_MODEL_NAME"),
        "openai_model_name": setting("OPENAI_MODEL_NAME"),
    }


def _path_and_alchemy_defaults() -> dict[str, Any]:
    similarity = similarity_config()
    return {
        "path_distance_metric": similarity.path_metric.value,
        "path_default_length": similarity.path_default_length,
        "path_fix_size": similarity.path_fix_size_default,
        "alchemy_default_n_results": similarity.alchemy_default_n,
        "alchemy_max_n_results": similarity.alchemy_max_n,
        "alchemy_temperature": similarity.alchemy_temperature,
        "alchemy_subtract_distance": similarity.alchemy_subtract_distance,
    }
