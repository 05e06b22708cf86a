"""The similarity settings, read at call time (never at import) with AudioMuse-AI's names.

The settings module owns the environment and every default; this is the one
place the similarity app turns those values into its configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.config import setting
from similarity.engine.filters import DuplicateRule
from similarity.engine.songs import Metric

# Request-size caps that are not settings in AudioMuse-AI either.
MAX_SIMILAR_RESULTS = 500
MAX_PATH_LENGTH = 200
MAX_FINGERPRINT_RESULTS = 500
SEARCH_PAGE_SIZE = 20
SEARCH_MAX_PAGE = 500


@dataclass(frozen=True)
class SimilarityConfig:
    duplicate_threshold_cosine: float
    duplicate_threshold_euclidean: float
    duplicate_lookback: int
    max_songs_per_artist: int
    mood_similarity_threshold: float
    mood_similarity_default: bool
    eliminate_duplicates_default: bool
    radius_default: bool
    path_metric: Metric
    path_default_length: int
    path_candidates_per_step: int
    path_fix_size_default: bool
    alchemy_default_n: int
    alchemy_max_n: int
    alchemy_temperature: float
    alchemy_subtract_distance: float
    fingerprint_top_n_songs: int
    fingerprint_default_n: int
    top_n_moods: int
    query_ef: int

    def duplicate_rule(self, metric: Metric = Metric.ANGULAR) -> DuplicateRule:
        threshold = self.duplicate_threshold_cosine if metric is Metric.ANGULAR else self.duplicate_threshold_euclidean
        return DuplicateRule(threshold=threshold, lookback=self.duplicate_lookback, metric=metric)


def similarity_config() -> SimilarityConfig:
    """The current values (tests may override settings between calls)."""
    return SimilarityConfig(
        duplicate_threshold_cosine=setting("DUPLICATE_DISTANCE_THRESHOLD_COSINE"),
        duplicate_threshold_euclidean=setting("DUPLICATE_DISTANCE_THRESHOLD_EUCLIDEAN"),
        duplicate_lookback=setting("DUPLICATE_DISTANCE_CHECK_LOOKBACK"),
        max_songs_per_artist=setting("MAX_SONGS_PER_ARTIST"),
        mood_similarity_threshold=setting("MOOD_SIMILARITY_THRESHOLD"),
        mood_similarity_default=setting("MOOD_SIMILARITY_ENABLE"),
        eliminate_duplicates_default=setting("SIMILARITY_ELIMINATE_DUPLICATES_DEFAULT"),
        radius_default=setting("SIMILARITY_RADIUS_DEFAULT"),
        path_metric=Metric(setting("PATH_DISTANCE_METRIC")),
        path_default_length=setting("PATH_DEFAULT_LENGTH"),
        path_candidates_per_step=setting("PATH_CANDIDATES_PER_STEP"),
        path_fix_size_default=setting("PATH_FIX_SIZE"),
        alchemy_default_n=setting("ALCHEMY_DEFAULT_N_RESULTS"),
        alchemy_max_n=setting("ALCHEMY_MAX_N_RESULTS"),
        alchemy_temperature=setting("ALCHEMY_TEMPERATURE"),
        alchemy_subtract_distance=setting("ALCHEMY_SUBTRACT_DISTANCE_ANGULAR"),
        fingerprint_top_n_songs=setting("SONIC_FINGERPRINT_TOP_N_SONGS"),
        fingerprint_default_n=setting("SONIC_FINGERPRINT_NEIGHBORS"),
        top_n_moods=setting("TOP_N_MOODS"),
        query_ef=setting("VOYAGER_QUERY_EF"),
    )
