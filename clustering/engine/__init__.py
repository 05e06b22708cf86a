"""Framework-free clustering engine: numpy arrays and keyword arguments in, small frozen dataclasses out.

The Celery side reads tracks from PostgreSQL, builds ``ClusteringData`` once
per worker with ``build_clustering_data``, calls ``run_batch`` for each batch
of runs (passing the current elites), keeps the best ``IterationResult`` and
finally calls ``finalize_playlists``. Every random choice flows from the
``numpy.random.Generator`` passed in: the same seed gives the same result.
No Django, Celery or settings imports here (an import-linter contract).
"""

from clustering.engine.algorithms import (
    DBSCANParams,
    GMMParams,
    KMeansParams,
    ModelParams,
    SpectralParams,
    fit_clusters,
)
from clustering.engine.data import ClusteringData, ScoreLayout, build_clustering_data, probability_matrix
from clustering.engine.defaults import (
    ClusteringConfig,
    EvolutionSettings,
    FitnessSettings,
    LnStats,
    NormalisationStats,
    PostProcessingSettings,
    SamplingSettings,
    ScoreWeights,
    SearchSpace,
)
from clustering.engine.errors import (
    ClusteringEngineError,
    InvalidClusteringConfigError,
    InvalidClusteringInputError,
    NotEnoughTracksError,
)
from clustering.engine.evolution import Elite, IterationParams, next_params, updated_elites
from clustering.engine.iteration import BatchResult, IterationResult, run_batch, run_iteration
from clustering.engine.naming import NameProposer, PlaylistTraits, name_playlists
from clustering.engine.playlists import NamedPlaylist, PlaylistSet, finalize_playlists
from clustering.engine.postprocess import PlaylistDraft, postprocess_playlists
from clustering.engine.sampling import sampling_plan
from clustering.engine.scaling import LibraryScaling, library_scaling

__all__ = [
    "BatchResult",
    "ClusteringConfig",
    "ClusteringData",
    "ClusteringEngineError",
    "DBSCANParams",
    "Elite",
    "EvolutionSettings",
    "FitnessSettings",
    "GMMParams",
    "InvalidClusteringConfigError",
    "InvalidClusteringInputError",
    "IterationParams",
    "IterationResult",
    "KMeansParams",
    "LibraryScaling",
    "LnStats",
    "ModelParams",
    "NameProposer",
    "NamedPlaylist",
    "NormalisationStats",
    "NotEnoughTracksError",
    "PlaylistDraft",
    "PlaylistSet",
    "PlaylistTraits",
    "PostProcessingSettings",
    "SamplingSettings",
    "ScoreLayout",
    "ScoreWeights",
    "SearchSpace",
    "SpectralParams",
    "build_clustering_data",
    "finalize_playlists",
    "fit_clusters",
    "library_scaling",
    "name_playlists",
    "next_params",
    "postprocess_playlists",
    "probability_matrix",
    "run_batch",
    "run_iteration",
    "sampling_plan",
    "updated_elites",
]
