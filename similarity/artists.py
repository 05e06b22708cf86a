"""Similar artists over the library: the artist model fitted from the database, and the answer rows.

An artist is a track artist name (``Track.author``, exactly as the media
server spells it): every analysed track of that name belongs to it, whatever
its album. The model (similarity/engine/artists.py) is fitted from the stored
embeddings by ``artist_model_fit_from_db``; ``ArtistDirectory`` remembers,
per artist, the media server's artist id (the one most of its tracks carry)
so a client may ask by name or by that id, and gets the id back.

Until the derived models are stored like the vector index, each process
fits the model itself on first use and again whenever the loaded vector index
changes version (``CurrentArtistModel``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from analysis.models import EMBEDDING_DIMENSIONS, Embedding, Track
from common.config import setting
from mediaservers.adapters.records import artist_id_from_name
from similarity.derived_cache import PerIndexVersion
from similarity.engine.artists import ArtistModel, SimilarArtist, fit_artist_model, similar_artists
from similarity.errors import ArtistNotFound, IndexNotReady

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


def artist_model_fit_from_db() -> ArtistModel:
    """Fit the artist model from every analysed track that has an artist name; IndexNotReady when none has."""
    return _fit_from_db()[0]


def _fit_from_db() -> tuple[ArtistModel, ArtistDirectory]:
    rows = (
        Embedding.objects.exclude(track__author="")
        .order_by("track_id")
        .values_list("track__item_id", "track__author", "track__artist_id", "vector")
    )
    item_ids: list[str] = []
    authors: list[str] = []
    ids_by_artist: dict[str, Counter] = {}
    vectors: list[np.ndarray] = []
    for item_id, author, artist_id, vector in rows.iterator(chunk_size=setting("DB_FETCH_CHUNK_SIZE")):
        item_ids.append(item_id)
        authors.append(author)
        vectors.append(np.asarray(vector, dtype=np.float32))
        counter = ids_by_artist.setdefault(author, Counter())
        if artist_id:
            counter[artist_id] += 1
    if not item_ids:
        raise IndexNotReady("No analysed track has an artist yet: run an analysis first.")
    embeddings = np.vstack(vectors) if vectors else np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
    model = fit_artist_model(embeddings=embeddings, artist_keys=authors, track_ids=item_ids)
    return model, _directory(ids_by_artist)


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


def _fit_artists() -> FittedArtists:
    model, directory = _fit_from_db()
    return FittedArtists(model=model, directory=directory)


current_artists: PerIndexVersion[FittedArtists] = PerIndexVersion(_fit_artists)


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
