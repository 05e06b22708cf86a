"""Sonic fingerprint: someone's most played songs, then the songs nearest their recency-weighted blend."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from mediaservers.adapters import MediaServerUser
from similarity.config import SimilarityConfig
from similarity.engine.fingerprint import fingerprint_vector, recency_weight
from similarity.engine.similar import SimilarRules, nearest_new_songs
from similarity.engine.songs import Metric, Pick, Song, distances_to, stack_vectors
from similarity.errors import NoPlayHistory
from similarity.library import SongLibrary
from similarity.media import media_server

POOL_PER_RESULT = 4
MAX_POOL_PER_RESULT = 20


def sonic_fingerprint(
    *,
    library: SongLibrary,
    n: int,
    user: MediaServerUser | None,
    config: SimilarityConfig,
    now: datetime | None = None,
) -> list[Pick]:
    """Up to ``n`` picks: the analysed top songs (most played first), then their nearest new neighbours.

    Distances are to the fingerprint. NoPlayHistory when the server keeps no
    history or none of the top songs is analysed.
    """
    with media_server() as adapter:  # a server without history raises CapabilityNotSupported -> NoPlayHistory
        history = adapter.play_history(limit=config.fingerprint_top_n_songs, user=user)
    if not history:
        raise NoPlayHistory("The media server has no listening history for this user yet")
    seeds = library.songs(record.track_id for record in history)
    if not seeds:
        raise NoPlayHistory(f"None of the {len(history)} most played tracks has been analysed yet")
    last_played = {record.track_id: record.last_played for record in history}
    moment = now or datetime.now(tz=UTC)
    weights = [recency_weight(last_played=_aware(last_played[song.item_id]), now=moment) for song in seeds]
    target = fingerprint_vector(stack_vectors(seeds), weights=weights)
    seed_picks = _picks(seeds, target)
    if n <= len(seed_picks):
        return seed_picks[:n]
    return seed_picks + _neighbours(library, target=target, seeds=seeds, wanted=n - len(seeds), config=config)


def _neighbours(
    library: SongLibrary, *, target: np.ndarray, seeds: list[Song], wanted: int, config: SimilarityConfig
) -> list[Pick]:
    rules = SimilarRules(duplicates=config.duplicate_rule(), max_per_artist=config.max_songs_per_artist)
    pool = POOL_PER_RESULT * wanted + len(seeds)
    max_pool = min(len(library), MAX_POOL_PER_RESULT * wanted + len(seeds))
    while True:
        candidates = library.nearest(target, min(pool, max_pool))
        picks = nearest_new_songs(target=target, candidates=candidates, chosen=seeds, rules=rules, n=wanted)
        if len(picks) >= wanted or pool >= max_pool:
            return picks
        pool *= 2


def _picks(songs: list[Song], target: np.ndarray) -> list[Pick]:
    distances = distances_to(stack_vectors(songs), target, metric=Metric.ANGULAR)
    return [Pick(song.item_id, float(d)) for song, d in zip(songs, distances, strict=True)]


def _aware(moment: datetime | None) -> datetime | None:
    """Servers without a zone in their timestamps mean UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
