"""Similar songs to a seed track (standard or radius walk), and the farthest track from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from similarity import selectors
from similarity.config import SimilarityConfig
from similarity.engine.similar import SimilarRules, similar_radius, similar_standard
from similarity.engine.songs import Pick, Song
from similarity.errors import InvalidSimilarityRequest, TrackNotFound
from similarity.library import SongLibrary

# Pool of index neighbours per wanted song before filtering; doubled while too few survive.
POOL_PER_RESULT_FILTERED = 4
POOL_MARGIN = 10  # the seed itself and its copies
MAX_POOL_PER_RESULT = 50
MIN_MAX_POOL = 1000


@dataclass(frozen=True)
class SimilarRequest:
    item_id: str
    n: int
    eliminate_duplicates: bool
    radius: bool
    mood: bool


def resolve_item_id(*, item_id: str, title: str, artist: str) -> str:
    """The seed's id: given, or the best search match of the legacy ``title`` + ``artist``."""
    if item_id:
        return item_id
    if not (title.strip() or artist.strip()):
        raise InvalidSimilarityRequest("Provide item_id, or title and artist")
    found = selectors.track_search(title=title, artist=artist, end=1)
    if not found:
        raise TrackNotFound(f"No analysed track matches title {title!r} and artist {artist!r}")
    return found[0]["item_id"]


def similar_tracks(*, library: SongLibrary, request: SimilarRequest, config: SimilarityConfig) -> list[Pick]:
    """Up to ``n`` picks: exactly ``n`` whenever the library holds that many that pass the filters."""
    seed_vector = library.vector_of(request.item_id)
    # The seed's own row is read with its neighbours': one database query per round.
    return _similar(library, seed_vector, lambda: library.song(request.item_id), (request.item_id,), request, config)


def similar_to_centroid(
    *, library: SongLibrary, centroid: np.ndarray, name: str, request: SimilarRequest, config: SimilarityConfig
) -> list[Pick]:
    """``similar_tracks`` around a point that is no track (a mood centroid): its mood filter is off."""
    seed = Song(item_id=name, title="", artist="", vector=np.asarray(centroid, dtype=np.float32))
    return _similar(library, seed.vector, lambda: seed, (), replace(request, mood=False), config)


def _similar(
    library: SongLibrary,
    seed_vector: np.ndarray,
    seed_of: Callable[[], Song],
    also: tuple[str, ...],
    request: SimilarRequest,
    config: SimilarityConfig,
) -> list[Pick]:
    rules = SimilarRules(
        duplicates=config.duplicate_rule(),
        max_per_artist=config.max_songs_per_artist if request.eliminate_duplicates else None,
        mood_threshold=config.mood_similarity_threshold if request.mood else None,
    )
    algorithm = similar_radius if request.radius else similar_standard
    filtered = request.radius or request.eliminate_duplicates or request.mood
    pool = request.n * (POOL_PER_RESULT_FILTERED if filtered else 1) + POOL_MARGIN
    max_pool = min(len(library), max(MIN_MAX_POOL, MAX_POOL_PER_RESULT * request.n))
    while True:
        candidates = library.nearest(seed_vector, min(pool, max_pool), also=also)
        picks = algorithm(seed=seed_of(), candidates=candidates, rules=rules, n=request.n)
        if len(picks) >= request.n or pool >= max_pool:
            return picks
        pool *= 2


def farthest_track(*, library: SongLibrary, item_id: str, config: SimilarityConfig) -> Pick:
    """The track farthest from ``item_id`` by cosine distance.

    The farthest from v is the nearest to -v, and cos(v, w) = -cos(-v, w),
    so one index query answers it: distance(v, w) = 2 - distance(-v, w).
    """
    opposite = library.index.nearest(-library.vector_of(item_id), k=1, query_ef=config.query_ef)
    if not opposite or opposite[0][0] == item_id:
        raise TrackNotFound("The library holds no other track")
    farthest_id, distance_to_opposite = opposite[0]
    return Pick(farthest_id, 2.0 - distance_to_opposite)
