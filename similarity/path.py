"""Song path between two tracks, over the loaded index."""

from __future__ import annotations

import numpy as np

from similarity.config import SimilarityConfig
from similarity.engine.path import PathRules, SongPath, song_path
from similarity.engine.songs import Metric, Pick, distance
from similarity.errors import InvalidSimilarityRequest, NothingFound
from similarity.library import SongLibrary
from similarity.moods import centroids_of

# The widest search one merged or widened job may make, per point of the path.
MAX_CANDIDATES_PER_POINT = 20
MIN_MAX_CANDIDATES = 500


def find_path(
    *, library: SongLibrary, start_id: str, end_id: str, length: int, fix_size: bool, config: SimilarityConfig
) -> tuple[list[Pick], float]:
    """The path's picks (distance = cosine distance from the previous song, 0 for the start)
    and its total distance in PATH_DISTANCE_METRIC."""
    if not start_id or not end_id:
        raise InvalidSimilarityRequest("Provide start_song_id and end_song_id")
    if start_id == end_id:
        raise InvalidSimilarityRequest("Start and end songs must be different")
    start, end = library.song(start_id), library.song(end_id)
    rules = PathRules(
        metric=config.path_metric,
        duplicates=config.duplicate_rule(config.path_metric),
        max_per_artist=config.max_songs_per_artist,
        candidates_per_step=config.path_candidates_per_step,
        max_candidates=min(len(library), max(MIN_MAX_CANDIDATES, MAX_CANDIDATES_PER_POINT * length)),
    )
    path = song_path(start=start, end=end, length=length, lookup=library, rules=rules, fix_size=fix_size)
    return _picks(path), path.total_distance


def _picks(path: SongPath) -> list[Pick]:
    picks = [Pick(path.songs[0].item_id, 0.0)]
    for previous, song in zip(path.songs, path.songs[1:], strict=False):
        picks.append(Pick(song.item_id, distance(previous.vector, song.vector, metric=Metric.ANGULAR)))
    return picks


def mood_endpoint(*, library: SongLibrary, mood: str, other_id: str, pct: int, query_ef: int) -> str:
    """The song standing for a mood at one end of a path: the mood centroid nearest the other end's song,
    approached from that song by ``pct`` percent (100: the centroid itself), and the song nearest that point
    that is not the other end."""
    if not other_id:
        raise InvalidSimilarityRequest("A mood end needs a song at the other end (start_song_id or end_song_id)")
    other = library.vector_of(other_id)
    centroids = centroids_of(mood)
    if not centroids:
        raise NothingFound(f"No track scores high enough on {mood!r} to stand for it")
    nearest = max(centroids, key=lambda centroid: float(centroid.vector @ other))
    target = other + (min(max(pct, 0), 100) / 100.0) * (nearest.vector - other)
    for item_id, _ in library.index.nearest(target.astype(np.float32), k=2, query_ef=query_ef):
        if item_id != other_id:
            return item_id
    raise NothingFound(f"The library holds no other track to stand for {mood!r}")
