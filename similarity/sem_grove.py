"""SemGrove search (AudioMuse-AI's merged lyrics + audio space) over what we have: the audio space.

We analyse no lyrics, so the "fused" space is the audio embedding alone and
the answer is the seed's nearest songs in the vector index, seed first.
"""

from __future__ import annotations

from similarity import selectors
from similarity.config import SimilarityConfig
from similarity.errors import NothingFound, TrackNotFound
from similarity.library import SongLibrary
from similarity.rows import song_row


def sem_grove_search(*, item_id: str, limit: int, config: SimilarityConfig) -> list[dict]:
    """The seed (``is_seed`` true, similarity 1) then up to ``limit`` nearest songs: song rows plus
    ``similarity`` = 1 - cosine distance. IndexNotReady before an index exists, TrackNotFound
    for an unknown seed, NothingFound when the library holds no other song."""
    index = SongLibrary.current(config).index
    if item_id not in index:
        raise TrackNotFound(f"Track {item_id} was not found or is not analysed")
    neighbours = index.nearest(index.vector_of(item_id), k=min(limit + 1, len(index)), query_ef=config.query_ef)
    found = [(neighbour, distance) for neighbour, distance in neighbours if neighbour != item_id][:limit]
    if not found:
        raise NothingFound(f"No songs similar to {item_id} were found")
    picks = [(item_id, 0.0), *found]
    item_ids = [pick_id for pick_id, _ in picks]
    details = selectors.track_details(item_ids=item_ids)
    if item_id not in details:
        raise TrackNotFound(f"Track {item_id} was not found or is not analysed")
    moods = selectors.track_moods(item_ids=item_ids)
    return [
        {
            **song_row(item_id=pick_id, details=details[pick_id], moods=moods.get(pick_id, {}), distance=distance,
                       top_n_moods=config.top_n_moods),
            "similarity": round(1.0 - float(distance), 6),
            "is_seed": pick_id == item_id,
        }
        for pick_id, distance in picks
        if pick_id in details
    ]  # fmt: skip
