"""The similarity settings, read at call time (never at import) with AudioMuse-AI's names and defaults.

The settings module owns the environment; this is the one place the
similarity app reads those values, so a missing one falls back to the
documented default instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

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
        duplicate_threshold_cosine=_setting("DUPLICATE_DISTANCE_THRESHOLD_COSINE", 0.01),
        duplicate_threshold_euclidean=_setting("DUPLICATE_DISTANCE_THRESHOLD_EUCLIDEAN", 0.15),
        duplicate_lookback=_setting("DUPLICATE_DISTANCE_CHECK_LOOKBACK", 1),
        max_songs_per_artist=_setting("MAX_SONGS_PER_ARTIST", 3),
        mood_similarity_threshold=_setting("MOOD_SIMILARITY_THRESHOLD", 0.15),
        mood_similarity_default=_setting("MOOD_SIMILARITY_ENABLE", False),
        eliminate_duplicates_default=_setting("SIMILARITY_ELIMINATE_DUPLICATES_DEFAULT", True),
        radius_default=_setting("SIMILARITY_RADIUS_DEFAULT", True),
        path_metric=Metric(_setting("PATH_DISTANCE_METRIC", "angular")),
        path_default_length=_setting("PATH_DEFAULT_LENGTH", 25),
        path_candidates_per_step=_setting("PATH_CANDIDATES_PER_STEP", 25),
        path_fix_size_default=_setting("PATH_FIX_SIZE", False),
        alchemy_default_n=_setting("ALCHEMY_DEFAULT_N_RESULTS", 100),
        alchemy_max_n=_setting("ALCHEMY_MAX_N_RESULTS", 200),
        alchemy_temperature=_setting("ALCHEMY_TEMPERATURE", 1.0),
        alchemy_subtract_distance=_setting("ALCHEMY_SUBTRACT_DISTANCE_ANGULAR", 0.2),
        fingerprint_top_n_songs=_setting("SONIC_FINGERPRINT_TOP_N_SONGS", 20),
        fingerprint_default_n=_setting("SONIC_FINGERPRINT_NEIGHBORS", 100),
        top_n_moods=_setting("TOP_N_MOODS", 5),
        query_ef=_setting("VOYAGER_QUERY_EF", 200),
    )


def _setting(name: str, default):
    return getattr(settings, name, default)
