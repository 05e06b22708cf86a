"""Song path between two tracks, over the loaded index."""

from __future__ import annotations

from similarity.config import SimilarityConfig
from similarity.engine.path import PathRules, SongPath, song_path
from similarity.engine.songs import Metric, Pick, distance
from similarity.errors import InvalidSimilarityRequest
from similarity.library import SongLibrary

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
