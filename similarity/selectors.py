"""Reads of the similarity app: track and artist search, song rows, metadata for the algorithms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import Lower
from pgvector.django import CosineDistance

from analysis.models import EMBEDDING_DIMENSIONS, Embedding, Track
from common.config import setting
from similarity.models import TrackSearch
from similarity.rows import analysed_track_fields
from similarity.sql import Fold

TRACK_SUMMARY_FIELDS = ("item_id", "title", "author", "album", "album_artist")
SEARCHED_COLUMNS = ("title", "author", "album")  # ranking order: a title match beats an artist match


def nearest_by_pgvector(
    *, vector: np.ndarray, k: int, exclude_item_ids: tuple[str, ...] = ()
) -> list[tuple[str, float]]:
    """Exact cosine ranking in SQL: (item_id, distance) nearest first. Slow but exact."""
    rows = (
        Embedding.objects.exclude(track__item_id__in=exclude_item_ids)
        .annotate(distance=CosineDistance("vector", np.asarray(vector, dtype=np.float32)))
        .order_by("distance")
        .values_list("track__item_id", "distance")
    )[:k]
    return [(item_id, float(distance)) for item_id, distance in rows]


@dataclass(frozen=True)
class EmbeddingMatrix:
    """Every analysed track: item_ids and authors one per row of vectors: np.ndarray [shape=(n, 200), float32]."""

    item_ids: tuple[str, ...]
    authors: tuple[str, ...]
    vectors: np.ndarray


def all_embeddings() -> EmbeddingMatrix:
    """Every stored embedding in track order, read in chunks so a large library never sits in one result set."""
    rows = Embedding.objects.order_by("track_id").values_list("track__item_id", "track__author", "vector")
    chunk_size = setting("DB_FETCH_CHUNK_SIZE")
    item_ids: list[str] = []
    authors: list[str] = []
    chunks: list[np.ndarray] = []
    batch: list[np.ndarray] = []
    for item_id, author, vector in rows.iterator(chunk_size=chunk_size):
        item_ids.append(item_id)
        authors.append(author)
        batch.append(np.asarray(vector, dtype=np.float32))
        if len(batch) >= chunk_size:
            chunks.append(np.stack(batch))
            batch = []
    if batch:
        chunks.append(np.stack(batch))
    vectors = np.concatenate(chunks) if chunks else np.empty((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
    return EmbeddingMatrix(item_ids=tuple(item_ids), authors=tuple(authors), vectors=vectors)


# -- search -------------------------------------------------------------------------------


def track_search(*, query: str = "", title: str = "", artist: str = "", start: int = 0, end: int = 20) -> list[dict]:
    """Analysed tracks where every word of ``query`` is in the title, artist or album
    (or whose title and artist hold ``title`` and ``artist``), best first, rows ``start:end``.

    Case and accents do not matter. Ranked by: title starting with the query,
    then how many words match the title, the artist, the album.
    """
    words = query.split()
    if not words and not title.strip() and not artist.strip():
        return []
    matches = TrackSearch.objects.filter(analysed=True)
    for word in words:
        matches = matches.filter(document__contains=Fold(Value(word)))
    if title.strip():
        matches = matches.filter(title__contains=Fold(Value(title.strip())))
    if artist.strip():
        matches = matches.filter(author__contains=Fold(Value(artist.strip())))
    ranked = matches.annotate(
        title_prefix=_matches_as_int(Q(title__startswith=Fold(Value(" ".join(words) or title.strip())))),
        **{f"{column}_hits": _word_hits(column, words) for column in SEARCHED_COLUMNS},
    ).order_by(
        "-title_prefix", *(f"-{column}_hits" for column in SEARCHED_COLUMNS), "title", "author", "album", "track_id"
    )
    # Rank and cut on the search table alone, then read the page's tracks.
    track_ids = list(ranked.values_list("track_id", flat=True)[start:end])
    tracks = Track.objects.in_bulk(track_ids)
    return [{field: getattr(tracks[pk], field) for field in TRACK_SUMMARY_FIELDS} for pk in track_ids if pk in tracks]


def _matches_as_int(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _word_hits(column: str, words: Sequence[str]):
    """How many of ``words`` the column holds, as an SQL expression."""
    total = Value(0, output_field=IntegerField())
    for word in words:
        total = total + _matches_as_int(Q(**{f"{column}__contains": Fold(Value(word))}))
    return total


def artist_search(*, query: str, start: int = 0, end: int = 20) -> list[dict]:
    """Artists of analysed tracks whose name holds every word of ``query``, best first, rows ``start:end``:
    [{artist, artist_id, track_count}].

    ``artist_id`` is the artist's name: it is what alchemy accepts as an artist item.
    """
    words = query.split()
    if not words:
        return []
    matches = TrackSearch.objects.filter(analysed=True)
    for word in words:
        matches = matches.filter(author__contains=Fold(Value(word)))
    rows = (
        matches.values("track__author")
        .annotate(
            track_count=Count("track_id"),
            starts=_matches_as_int(Q(author__startswith=Fold(Value(" ".join(words))))),
        )
        .order_by("-starts", "-track_count", "track__author")
    )[start:end]
    return [
        {"artist": row["track__author"], "artist_id": row["track__author"], "track_count": row["track_count"]}
        for row in rows
    ]


# -- tracks -------------------------------------------------------------------------------


def track_summary(*, item_id: str) -> dict | None:
    """{item_id, title, author, album, album_artist} of an analysed track, or None."""
    return Track.objects.filter(item_id=item_id, embedding__isnull=False).values(*TRACK_SUMMARY_FIELDS).first()


@dataclass(frozen=True)
class TrackDetails:
    """What the algorithms and song rows need from the database, but the tags (see ``track_moods``)."""

    title: str
    author: str
    album: str
    album_artist: str
    other_features: dict


def track_details(*, item_ids: Iterable[str]) -> dict[str, TrackDetails]:
    """item_id -> details, for the ids we know, in one query."""
    rows = Track.objects.filter(item_id__in=list(item_ids)).values_list(
        "item_id", *TRACK_SUMMARY_FIELDS[1:], "analysis__other_features"
    )
    return {
        item_id: TrackDetails(title, author, album, album_artist, features or {})
        for item_id, title, author, album, album_artist, features in rows
    }


def track_moods(*, item_ids: Iterable[str]) -> dict[str, dict]:
    """item_id -> all tag probabilities; read only for the tracks a response shows (50 tags each)."""
    rows = Track.objects.filter(item_id__in=list(item_ids)).values_list("item_id", "analysis__moods")
    return {item_id: moods or {} for item_id, moods in rows}


def artists_item_ids(*, artists: Iterable[str]) -> dict[str, list[str]]:
    """Ids of the analysed tracks of each artist (exact name, any case), keyed by the lower-cased name; one query."""
    names = {artist.lower() for artist in artists}
    if not names:
        return {}
    tracks = (
        Track.objects.annotate(author_lower=Lower("author"))
        .filter(author_lower__in=names, embedding__isnull=False)
        .order_by("id")
    )
    found: dict[str, list[str]] = {}
    for author, item_id in tracks.values_list("author_lower", "item_id"):
        found.setdefault(author, []).append(item_id)
    return found


def score_row(*, item_id: str, top_n_moods: int) -> dict | None:
    """The analysis of one track in AudioMuse-AI's ``score`` row shape, or None."""
    track = Track.objects.select_related("analysis").filter(item_id=item_id, analysis__isnull=False).first()
    if track is None:
        return None
    return {
        **{field: getattr(track, field) for field in TRACK_SUMMARY_FIELDS},
        **analysed_track_fields(track, top_n_moods=top_n_moods),
        "model_version": track.analysis.model_version,
    }


def embedding_vector(*, item_id: str) -> list[float] | None:
    """The stored embedding of a track as floats, or None."""
    vector = Embedding.objects.filter(track__item_id=item_id).values_list("vector", flat=True).first()
    return None if vector is None else [float(value) for value in vector]
