"""Songs for the algorithms: vectors from the in-memory index, names and features from the database.

One ``SongLibrary`` serves one request: it remembers what it loaded, so a
path that looks near 25 points or a pool that grows asks the database only
for tracks it has not seen yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from similarity import selectors
from similarity.config import SimilarityConfig
from similarity.engine.songs import Pick, Song
from similarity.engine.vector_index import LoadedIndex
from similarity.errors import TrackNotFound
from similarity.index_manager import index_manager
from similarity.rows import song_row


class SongLibrary:
    def __init__(self, *, index: LoadedIndex, query_ef: int) -> None:
        self.index = index
        self.query_ef = query_ef
        self._songs: dict[str, Song] = {}
        self._details: dict[str, selectors.TrackDetails] = {}

    @classmethod
    def current(cls, config: SimilarityConfig) -> SongLibrary:
        """Over the loaded index; raises IndexNotReady (503) when none is built."""
        return cls(index=index_manager.current(), query_ef=config.query_ef)

    def __len__(self) -> int:
        return len(self.index)

    def song(self, item_id: str) -> Song:
        """The analysed track ``item_id``; TrackNotFound when it is not in the index and the database."""
        found = self.songs([item_id])
        if not found:
            raise TrackNotFound(f"Track {item_id} was not found or is not analysed")
        return found[0]

    def songs(self, item_ids: Iterable[str]) -> list[Song]:
        """The songs for the ids that are indexed and known, in the given order."""
        wanted = [item_id for item_id in dict.fromkeys(item_ids) if item_id in self.index]
        self._load([item_id for item_id in wanted if item_id not in self._songs])
        return [self._songs[item_id] for item_id in wanted if item_id in self._songs]

    def vector_of(self, item_id: str) -> np.ndarray:
        """The indexed direction of ``item_id``, without a database read; TrackNotFound when not indexed."""
        if item_id not in self.index:
            raise TrackNotFound(f"Track {item_id} was not found or is not analysed")
        return self.index.vector_of(item_id)

    def nearest(self, vector: np.ndarray, k: int, *, also: Sequence[str] = ()) -> list[Song]:
        """Up to ``k`` songs nearest ``vector`` (cosine), nearest first; ``also`` are loaded in the same query."""
        neighbours = self.index.nearest(np.asarray(vector, dtype=np.float32), k=k, query_ef=self.query_ef)
        ids = [item_id for item_id, _ in neighbours]
        self.songs([*also, *ids])
        return self.songs(ids)

    def nearest_many(self, vectors: np.ndarray, k: int) -> list[list[Song]]:
        """``nearest`` for each row of ``vectors``: one index call and one database query for all."""
        found = self.index.nearest_many(vectors, k=k, query_ef=self.query_ef)
        self.songs(item_id for row in found for item_id, _ in row)
        return [self.songs(item_id for item_id, _ in row) for row in found]

    def rows(self, picks: Sequence[Pick], *, top_n_moods: int) -> list[dict]:
        """Song rows in the picks' order, each with its pick's distance (tracks gone meanwhile are left out)."""
        self.songs(pick.item_id for pick in picks)
        shown = [pick for pick in picks if pick.item_id in self._details]
        moods = selectors.track_moods(item_ids=[pick.item_id for pick in shown])
        return [
            song_row(item_id=pick.item_id, details=self._details[pick.item_id], moods=moods.get(pick.item_id, {}),
                     distance=pick.distance, top_n_moods=top_n_moods)
            for pick in shown
        ]  # fmt: skip

    def _load(self, item_ids: list[str]) -> None:
        if not item_ids:
            return
        details = selectors.track_details(item_ids=item_ids)
        known = [item_id for item_id in item_ids if item_id in details]
        # A track deleted since the index was built is in the index but not the database: skip it.
        for item_id, vector in zip(known, self.index.vectors_of(known), strict=True):
            track = details[item_id]
            self._songs[item_id] = Song(item_id, track.title, track.author, vector, track.other_features)
            self._details[item_id] = track
