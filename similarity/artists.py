"""Similar artists over the library: the artist model fitted from the database, and the answer rows.

An artist is a track artist name (``Track.author``, exactly as the media
server spells it): every analysed track of that name belongs to it, whatever
its album. The model (similarity/engine/artists.py) is fitted from the stored
embeddings by ``artist_model_fit_from_db``; ``ArtistDirectory`` remembers,
per artist, the media server's artist id (the one most of its tracks carry)
so a client may ask by name or by that id, and gets the id back.

A worker fits the model after each index rebuild and stores it
(``ARTIST_MODEL``, similarity/derived.py); every process holds the newest in
``artist_models``. The directory is read from the tracks table, once per
loaded index version, in each process.
"""

from __future__ import annotations

import atexit
from collections import Counter
from dataclasses import dataclass

import numpy as np

from analysis.models import EMBEDDING_DIMENSIONS, Embedding, Track
from common.config import setting
from mediaservers.adapters.records import artist_id_from_name
from similarity.derived import DerivedKind, DerivedModelManager
from similarity.derived_cache import PerIndexVersion
from similarity.engine.artists import (
    ArtistModel,
    SimilarArtist,
    artist_model_from_bytes,
    artist_model_to_bytes,
    fit_artist_model,
    similar_artists,
)
from similarity.errors import ArtistNotFound

MAX_SIMILAR_ARTISTS = 1000  # the engine's own bound on n
MAX_EF_SEARCH = 10_000


@dataclass(frozen=True)
class ArtistDirectory:
    """Names and media-server ids of the model's artists.

    artist_ids: artist key -> the server's artist id (the most common among its tracks; servers
        that keep none, or tracks analysed before ids were kept: ``artist_id_from_name``).
    by_id: every id a track of the artist carries (and the name-derived one) -> artist key.
    by_folded_name: case-folded name -> artist key (the first in sort order on a clash).
    """

    artist_ids: dict[str, str]
    by_id: dict[str, str]
    by_folded_name: dict[str, str]

    def resolve(self, text: str, *, id_first: bool = False) -> str | None:
        """The artist key named by ``text``: an exact name, a server artist id, or a name in any case."""
        exact_name = text if text in self.artist_ids else None
        lookups = (self.by_id.get(text), exact_name) if id_first else (exact_name, self.by_id.get(text))
        for found in (*lookups, self.by_folded_name.get(text.strip().casefold())):
            if found is not None:
                return found
        return None


@dataclass(frozen=True)
class FittedArtists:
    """The artist model and its directory."""

    model: ArtistModel
    directory: ArtistDirectory


def artist_model_fit_from_db() -> ArtistModel | None:
    """Fit the artist model from every analysed track that has an artist name; None when none has."""
    rows = (
        Embedding.objects.exclude(track__author="")
        .order_by("track_id")
        .values_list("track__item_id", "track__author", "vector")
    )
    item_ids: list[str] = []
    authors: list[str] = []
    vectors: list[np.ndarray] = []
    for item_id, author, vector in rows.iterator(chunk_size=setting("DB_FETCH_CHUNK_SIZE")):
        item_ids.append(item_id)
        authors.append(author)
        vectors.append(np.asarray(vector, dtype=np.float32))
    if not item_ids:
        return None
    embeddings = np.vstack(vectors) if vectors else np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
    return fit_artist_model(embeddings=embeddings, artist_keys=authors, track_ids=item_ids)


ARTIST_MODEL = DerivedKind(
    name="artists",
    fit=artist_model_fit_from_db,
    to_bytes=artist_model_to_bytes,
    load=artist_model_from_bytes,
    not_ready_message="The artist model is not fitted yet: run an analysis first.",
)
artist_models = DerivedModelManager(ARTIST_MODEL)
atexit.register(artist_models.close)


def artist_directory_from_db() -> ArtistDirectory:
    """Every analysed artist's name and the media-server ids its tracks carry."""
    ids_by_artist: dict[str, Counter] = {}
    rows = Track.objects.exclude(author="").filter(embedding__isnull=False).values_list("author", "artist_id")
    for author, artist_id in rows.iterator(chunk_size=setting("DB_FETCH_CHUNK_SIZE")):
        counter = ids_by_artist.setdefault(author, Counter())
        if artist_id:
            counter[artist_id] += 1
    return _directory(ids_by_artist)


def _directory(ids_by_artist: dict[str, Counter]) -> ArtistDirectory:
    artist_ids: dict[str, str] = {}
    by_id: dict[str, str] = {}
    by_folded_name: dict[str, str] = {}
    for name in sorted(ids_by_artist):
        counter = ids_by_artist[name]
        derived = artist_id_from_name(name) or name
        artist_ids[name] = counter.most_common(1)[0][0] if counter else derived
        for known in (*counter, derived):
            by_id.setdefault(known, name)
        by_folded_name.setdefault(name.strip().casefold(), name)
    return ArtistDirectory(artist_ids=artist_ids, by_id=by_id, by_folded_name=by_folded_name)


artist_directories: PerIndexVersion[ArtistDirectory] = PerIndexVersion(artist_directory_from_db)


class _CurrentArtists:
    """The stored artist model with this process's directory (IndexNotReady (503) before either exists)."""

    def current(self) -> FittedArtists:
        return FittedArtists(model=artist_models.current(), directory=artist_directories.current())


current_artists = _CurrentArtists()


def similar_artist_rows(
    *, artist: str, by_id: bool, n: int, ef_search: int, include_component_matches: bool
) -> list[dict]:
    """[{artist, artist_id, divergence, component_matches?}] least divergent first, never the seed itself.

    ``artist`` is a name or a server artist id (``by_id``: the id is tried before the name).
    ArtistNotFound (404) when it names no artist of the model.
    """
    fitted = current_artists.current()
    key = fitted.directory.resolve(artist, id_first=by_id)
    if key is None or key not in fitted.model:
        raise ArtistNotFound(f"Artist {artist!r} was not found among the analysed artists")
    found = similar_artists(
        fitted.model,
        artist_key=key,
        n=n,
        ef_search=ef_search,
        include_component_matches=include_component_matches,
    )
    titles = _titles(found) if include_component_matches else {}
    return [_row(entry, fitted.directory, titles, include_component_matches) for entry in found]


def _titles(found: list[SimilarArtist]) -> dict[str, str]:
    wanted = {
        item_id
        for entry in found
        for match in entry.component_matches
        for item_id in (*match.seed_track_ids, *match.other_track_ids)
    }
    return dict(Track.objects.filter(item_id__in=wanted).values_list("item_id", "title"))


def _row(entry: SimilarArtist, directory: ArtistDirectory, titles: dict[str, str], with_matches: bool) -> dict:
    row = {
        "artist": entry.artist_key,
        "artist_id": directory.artist_ids.get(entry.artist_key, entry.artist_key),
        "divergence": round(float(entry.divergence), 6),
    }
    if with_matches:
        row["component_matches"] = [
            {
                "artist1_representative_songs": _songs(match.seed_track_ids, titles),
                "artist2_representative_songs": _songs(match.other_track_ids, titles),
                "component1_index": match.seed_component,
                "component2_index": match.other_component,
                "distance": round(float(match.cost), 6),
            }
            for match in entry.component_matches
        ]
    return row


def _songs(item_ids: tuple[str, ...], titles: dict[str, str]) -> list[dict]:
    return [{"item_id": item_id, "title": titles[item_id]} for item_id in item_ids if item_id in titles]
