"""Defaults of the clustering search (those of AudioMuse-AI) and the frozen configuration built from them.

The constants are the documented defaults; Django settings read the
environment and pass values into ``ClusteringConfig``. The config travels
through the Celery broker as ``config.as_dict()`` and comes back with
``ClusteringConfig.from_dict`` (a partial mapping fills in the defaults).
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any

from clustering.engine.errors import InvalidClusteringConfigError


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidClusteringConfigError(message)


def _require_range(name: str, bounds: tuple[float, float], *, lowest: float) -> None:
    _require(len(bounds) == 2, f"{name} must be a (min, max) pair, not {bounds!r}")
    low, high = bounds
    _require(lowest <= low <= high, f"{name} must satisfy {lowest} <= min <= max, not {low}..{high}")


@dataclass(frozen=True)
class LnStats:
    """Observed range of ``log1p(raw score)``; a raw score maps to ``(log1p(raw) - min) / (max - min)``.

    ``mean`` and ``sd`` are kept because the original publishes them; the scaling uses min and max.
    """

    min: float
    max: float
    mean: float
    sd: float

    def __post_init__(self) -> None:
        _require(self.max > self.min, f"normalisation max ({self.max}) must exceed min ({self.min})")


# Observed ranges of log1p(raw metric) (AudioMuse-AI's LN_* statistics; see fitness.normalised).
LN_MOOD_DIVERSITY_STATS = LnStats(min=-0.1863, max=1.5518, mean=0.9995, sd=0.3541)
LN_MOOD_PURITY_STATS = LnStats(min=0.6981, max=7.2848, mean=5.8679, sd=1.1557)
LN_MOOD_DIVERSITY_EMBEDDING_STATS = LnStats(min=-0.174, max=0.570, mean=-0.101, sd=0.245)
LN_MOOD_PURITY_EMBEDDING_STATS = LnStats(min=-0.494, max=2.583, mean=0.673, sd=1.063)
LN_OTHER_FEATURES_DIVERSITY_STATS = LnStats(min=-0.19, max=2.06, mean=1.5, sd=0.46)
LN_OTHER_FEATURES_PURITY_STATS = LnStats(min=8.67, max=8.95, mean=8.84, sd=0.07)

ALGORITHMS = ("kmeans", "dbscan", "gmm", "spectral")
GMM_COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
OTHER_FEATURE_LABELS = ("danceable", "aggressive", "happy", "party", "relaxed", "sad")

# Runs of the evolutionary search per job.
CLUSTERING_RUNS = 1000

# Search space.
CLUSTER_ALGORITHM = "kmeans"
ENABLE_CLUSTERING_EMBEDDINGS = True
NUM_CLUSTERS_MIN, NUM_CLUSTERS_MAX = 40, 100
DBSCAN_EPS_MIN, DBSCAN_EPS_MAX = 0.1, 0.5
DBSCAN_MIN_SAMPLES_MIN, DBSCAN_MIN_SAMPLES_MAX = 5, 20
GMM_N_COMPONENTS_MIN, GMM_N_COMPONENTS_MAX = 40, 100
GMM_COVARIANCE_TYPE = "full"
SPECTRAL_N_CLUSTERS_MIN, SPECTRAL_N_CLUSTERS_MAX = 40, 100
SPECTRAL_N_NEIGHBORS = 20
# 0 disables PCA; 199 suits the 200-d embeddings (AudioMuse-AI suggests 8 for score vectors).
PCA_COMPONENTS_MIN, PCA_COMPONENTS_MAX = 0, 199
# From this many tracks per run K-Means is MiniBatchKMeans. Measured, K=70, 200-d, one thread:
# full K-Means 0.8 s at 20k tracks and 1.9 s at 40k; MiniBatchKMeans 0.3 s for both. Below 20k
# the full algorithm's better optimum costs under a second.
MINIBATCH_KMEANS_MIN_TRACKS = 20_000
MINIBATCH_KMEANS_BATCH_SIZE = 1000
# Spectral clustering builds a k-NN graph and solves an eigenproblem, superlinear in the
# number of tracks (measured, K=70, one thread: 0.2 s at 2000 tracks, 0.8 s at 5000): it fits
# on at most this many (a random subset) and gives the rest the nearest cluster mean's label.
SPECTRAL_MAX_TRACKS = 5000

# Evolution.
TOP_N_ELITES = 10
EXPLOITATION_START_FRACTION = 0.2
EXPLOITATION_PROBABILITY = 0.7
MUTATION_INT_ABS_DELTA = 3
MUTATION_FLOAT_ABS_DELTA = 0.05

# Stratified sampling.
STRATIFIED_GENRES = (
    "rock", "pop", "alternative", "indie", "electronic", "jazz", "metal", "classic rock", "soul",
    "indie rock", "electronica", "folk", "punk", "blues", "hard rock", "ambient", "acoustic",
    "experimental", "Hip-Hop", "country", "funk", "electro", "heavy metal", "Progressive rock",
    "rnb", "indie pop", "House",
)  # fmt: skip
MIN_SONGS_PER_GENRE_FOR_STRATIFICATION = 100
STRATIFIED_SAMPLING_TARGET_PERCENTILE = 50
SAMPLING_PERCENTAGE_CHANGE_PER_RUN = 0.2

# Fitness.
SCORE_WEIGHT_DIVERSITY = 2.0
SCORE_WEIGHT_PURITY = 1.0
SCORE_WEIGHT_OTHER_FEATURE_DIVERSITY = 0.0
SCORE_WEIGHT_OTHER_FEATURE_PURITY = 0.0
SCORE_WEIGHT_SILHOUETTE = 0.0
SCORE_WEIGHT_DAVIES_BOULDIN = 0.0
SCORE_WEIGHT_CALINSKI_HARABASZ = 0.0
TOP_K_MOODS_FOR_PURITY_CALCULATION = 3
# A song's "active" moods are its TOP_N_MOODS most probable ones.
TOP_N_MOODS = 5
OTHER_FEATURE_PREDOMINANCE_THRESHOLD_FOR_PURITY = 0.3
MAX_DISTANCE = 0.5
# Silhouette is O(n^2); it is estimated on a random subset of this many tracks.
SILHOUETTE_SAMPLE_SIZE = 2000

# Post-processing.
TOP_N_PLAYLISTS = 10
MIN_PLAYLIST_SIZE_FOR_TOP_N = 20
MAX_SONGS_PER_CLUSTER = 0
MAX_SONGS_PER_ARTIST = 3
DUPLICATE_DISTANCE_THRESHOLD_COSINE = 0.01
DUPLICATE_DISTANCE_CHECK_LOOKBACK = 1
# Small libraries never get playlists below this size (see scaling.library_scaling).
SMALLEST_PLAYLIST_SIZE = 3

# Naming.
PLAYLIST_NAME_SUFFIX = "_automatic"
PLAYLIST_NAME_MAX_LENGTH = 64


@dataclass(frozen=True)
class SearchSpace:
    """Which algorithm, on which vectors, and the ranges the search draws its parameters from.

    Ranges are inclusive ``(low, high)`` pairs; ``pca_components`` 0 means no PCA.
    """

    algorithm: str = CLUSTER_ALGORITHM
    use_embeddings: bool = ENABLE_CLUSTERING_EMBEDDINGS
    num_clusters: tuple[int, int] = (NUM_CLUSTERS_MIN, NUM_CLUSTERS_MAX)
    dbscan_eps: tuple[float, float] = (DBSCAN_EPS_MIN, DBSCAN_EPS_MAX)
    dbscan_min_samples: tuple[int, int] = (DBSCAN_MIN_SAMPLES_MIN, DBSCAN_MIN_SAMPLES_MAX)
    gmm_n_components: tuple[int, int] = (GMM_N_COMPONENTS_MIN, GMM_N_COMPONENTS_MAX)
    spectral_n_clusters: tuple[int, int] = (SPECTRAL_N_CLUSTERS_MIN, SPECTRAL_N_CLUSTERS_MAX)
    pca_components: tuple[int, int] = (PCA_COMPONENTS_MIN, PCA_COMPONENTS_MAX)
    gmm_covariance_type: str = GMM_COVARIANCE_TYPE
    spectral_n_neighbors: int = SPECTRAL_N_NEIGHBORS
    minibatch_kmeans_min_tracks: int = MINIBATCH_KMEANS_MIN_TRACKS
    spectral_max_tracks: int = SPECTRAL_MAX_TRACKS

    def __post_init__(self) -> None:
        _require(self.algorithm in ALGORITHMS, f"algorithm must be one of {ALGORITHMS}, not {self.algorithm!r}")
        _require(
            self.gmm_covariance_type in GMM_COVARIANCE_TYPES,
            f"gmm_covariance_type must be one of {GMM_COVARIANCE_TYPES}, not {self.gmm_covariance_type!r}",
        )
        for name in ("num_clusters", "dbscan_min_samples", "gmm_n_components", "spectral_n_clusters"):
            _require_range(name, getattr(self, name), lowest=1)
        _require_range("pca_components", self.pca_components, lowest=0)
        _require_range("dbscan_eps", self.dbscan_eps, lowest=1e-9)
        _require(self.spectral_n_neighbors >= 1, "spectral_n_neighbors must be at least 1")
        _require(self.spectral_max_tracks >= 2, "spectral_max_tracks must be at least 2")

    def searched_ranges(self) -> dict[str, tuple[float, float]]:
        """The chosen algorithm's searched parameters and their ranges: ``{"n_clusters": (40, 100)}`` for K-Means."""
        return {parameter: getattr(self, name) for parameter, name in _RANGE_OF_PARAMETER[self.algorithm].items()}


# Model parameter -> the SearchSpace field holding its range, per algorithm.
_RANGE_OF_PARAMETER = {
    "kmeans": {"n_clusters": "num_clusters"},
    "dbscan": {"eps": "dbscan_eps", "min_samples": "dbscan_min_samples"},
    "gmm": {"n_components": "gmm_n_components"},
    "spectral": {"n_clusters": "spectral_n_clusters"},
}


@dataclass(frozen=True)
class EvolutionSettings:
    """Elitism: after ``exploitation_start_fraction`` of the runs, mutate an elite with ``exploitation_probability``."""

    top_n_elites: int = TOP_N_ELITES
    exploitation_start_fraction: float = EXPLOITATION_START_FRACTION
    exploitation_probability: float = EXPLOITATION_PROBABILITY
    mutation_int_abs_delta: int = MUTATION_INT_ABS_DELTA
    mutation_float_abs_delta: float = MUTATION_FLOAT_ABS_DELTA

    def __post_init__(self) -> None:
        _require(self.top_n_elites >= 1, "top_n_elites must be at least 1")
        _require(0 <= self.exploitation_start_fraction <= 1, "exploitation_start_fraction must be in [0, 1]")
        _require(0 <= self.exploitation_probability <= 1, "exploitation_probability must be in [0, 1]")
        _require(self.mutation_int_abs_delta >= 0, "mutation_int_abs_delta must not be negative")
        _require(self.mutation_float_abs_delta >= 0, "mutation_float_abs_delta must not be negative")


@dataclass(frozen=True)
class SamplingSettings:
    """Stratified sampling by primary genre; ``change_per_run`` of each genre's sample is replaced every run."""

    stratified_genres: tuple[str, ...] = STRATIFIED_GENRES
    min_songs_per_genre: int = MIN_SONGS_PER_GENRE_FOR_STRATIFICATION
    target_percentile: float = STRATIFIED_SAMPLING_TARGET_PERCENTILE
    change_per_run: float = SAMPLING_PERCENTAGE_CHANGE_PER_RUN

    def __post_init__(self) -> None:
        _require(self.min_songs_per_genre >= 1, "min_songs_per_genre must be at least 1")
        _require(0 <= self.target_percentile <= 100, "target_percentile must be in [0, 100]")
        _require(0 <= self.change_per_run <= 1, "change_per_run must be in [0, 1]")


@dataclass(frozen=True)
class ScoreWeights:
    """How much each metric counts in the fitness; a metric with weight 0 is not computed."""

    diversity: float = SCORE_WEIGHT_DIVERSITY
    purity: float = SCORE_WEIGHT_PURITY
    other_feature_diversity: float = SCORE_WEIGHT_OTHER_FEATURE_DIVERSITY
    other_feature_purity: float = SCORE_WEIGHT_OTHER_FEATURE_PURITY
    silhouette: float = SCORE_WEIGHT_SILHOUETTE
    davies_bouldin: float = SCORE_WEIGHT_DAVIES_BOULDIN
    calinski_harabasz: float = SCORE_WEIGHT_CALINSKI_HARABASZ


@dataclass(frozen=True)
class NormalisationStats:
    """The LN_* statistics of AudioMuse-AI (mood ones differ when clustering on embeddings)."""

    mood_diversity: LnStats = LN_MOOD_DIVERSITY_STATS
    mood_purity: LnStats = LN_MOOD_PURITY_STATS
    mood_diversity_embedding: LnStats = LN_MOOD_DIVERSITY_EMBEDDING_STATS
    mood_purity_embedding: LnStats = LN_MOOD_PURITY_EMBEDDING_STATS
    other_features_diversity: LnStats = LN_OTHER_FEATURES_DIVERSITY_STATS
    other_features_purity: LnStats = LN_OTHER_FEATURES_PURITY_STATS


@dataclass(frozen=True)
class FitnessSettings:
    """Weights, statistics and thresholds of the fitness function; ``max_distance`` <= 0 keeps every member."""

    weights: ScoreWeights = field(default_factory=ScoreWeights)
    stats: NormalisationStats = field(default_factory=NormalisationStats)
    top_k_moods_for_purity: int = TOP_K_MOODS_FOR_PURITY_CALCULATION
    active_moods_per_song: int = TOP_N_MOODS
    other_feature_predominance_threshold: float = OTHER_FEATURE_PREDOMINANCE_THRESHOLD_FOR_PURITY
    max_distance: float = MAX_DISTANCE
    silhouette_sample_size: int = SILHOUETTE_SAMPLE_SIZE

    def __post_init__(self) -> None:
        _require(self.top_k_moods_for_purity >= 1, "top_k_moods_for_purity must be at least 1")
        _require(self.active_moods_per_song >= 1, "active_moods_per_song must be at least 1")
        _require(self.silhouette_sample_size >= 2, "silhouette_sample_size must be at least 2")


@dataclass(frozen=True)
class PostProcessingSettings:
    """Clean-up of the best solution; ``top_n_playlists`` and ``max_songs_per_cluster`` 0 mean no limit."""

    top_n_playlists: int = TOP_N_PLAYLISTS
    min_playlist_size_for_top_n: int = MIN_PLAYLIST_SIZE_FOR_TOP_N
    max_songs_per_cluster: int = MAX_SONGS_PER_CLUSTER
    max_songs_per_artist: int = MAX_SONGS_PER_ARTIST
    duplicate_distance_threshold_cosine: float = DUPLICATE_DISTANCE_THRESHOLD_COSINE
    duplicate_distance_check_lookback: int = DUPLICATE_DISTANCE_CHECK_LOOKBACK

    def __post_init__(self) -> None:
        for name in ("top_n_playlists", "max_songs_per_cluster", "duplicate_distance_check_lookback"):
            _require(getattr(self, name) >= 0, f"{name} must not be negative")
        _require(self.min_playlist_size_for_top_n >= 1, "min_playlist_size_for_top_n must be at least 1")
        _require(self.max_songs_per_artist >= 1, "max_songs_per_artist must be at least 1")


@dataclass(frozen=True)
class ClusteringConfig:
    """Everything one clustering job needs besides the data; small and JSON-serialisable."""

    clustering_runs: int = CLUSTERING_RUNS
    search: SearchSpace = field(default_factory=SearchSpace)
    evolution: EvolutionSettings = field(default_factory=EvolutionSettings)
    sampling: SamplingSettings = field(default_factory=SamplingSettings)
    fitness: FitnessSettings = field(default_factory=FitnessSettings)
    postprocessing: PostProcessingSettings = field(default_factory=PostProcessingSettings)

    def __post_init__(self) -> None:
        _require(self.clustering_runs >= 1, "clustering_runs must be at least 1")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> ClusteringConfig:
        """The config ``as_dict`` produced (tuples may come back as lists); missing keys take the defaults."""
        return _dataclass_from_mapping(cls, mapping)


def _dataclass_from_mapping(cls: type, mapping: Mapping[str, Any]) -> Any:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(mapping) - known)
    _require(not unknown, f"unknown {cls.__name__} settings: {', '.join(unknown)}")
    hints = typing.get_type_hints(cls)
    values = {}
    for name, value in mapping.items():
        hint = hints[name]
        if is_dataclass(hint) and isinstance(value, Mapping):
            value = _dataclass_from_mapping(hint, value)
        elif typing.get_origin(hint) is tuple:
            value = tuple(value)
        values[name] = value
    return cls(**values)
