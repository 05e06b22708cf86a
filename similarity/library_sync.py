"""``GET /api/sync``: the analysed library page by page, for importers and apps that keep their own copy.

Three shapes, as AudioMuse-AI serves them: the full rows page by page; the rows of a list of ids;
or (``fields=index``) a manifest of ``{id, fp}`` where ``fp`` changes whenever a track's analysis
does, so a client can fetch only what changed. Rows are in item id order.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.models import Track
from similarity.rows import analysed_track_fields, mood_vector_text, other_features_text

MAX_PAGE_SIZE = 500  # full rows per page
MAX_MANIFEST_PAGE_SIZE = 1000  # {id, fp} rows per page
MAX_IDS = 500  # ids per ``ids=`` request; more are ignored
MAX_PAGE = 10**9  # keeps the offset inside PostgreSQL's bigint


@dataclass(frozen=True)
class SyncRequest:
    page: int = 1  # 1-based
    limit: int = MAX_PAGE_SIZE
    ids: Sequence[str] | None = None  # None: every analysed track
    manifest: bool = False
    include_embeddings: bool = True
    top_n_moods: int = 5


def sync_page(request: SyncRequest, *, provider_type: str) -> dict:
    """``{tracks, total_tracks, provider_type, has_more, next_page}`` for one page (or one id list)."""
    tracks = Track.objects.filter(analysis__isnull=False).select_related("analysis").order_by("item_id")
    if request.ids is not None:
        found = list(tracks.filter(item_id__in=list(request.ids)[:MAX_IDS]))
        total, has_more = len(found), False
    else:
        total = tracks.count()
        offset = (request.page - 1) * request.limit
        found = list(tracks[offset : offset + request.limit])
        has_more = offset + len(found) < total
    if request.manifest:
        rows = [
            {"id": track.item_id, "fp": analysis_fingerprint(track, top_n_moods=request.top_n_moods)} for track in found
        ]
    else:
        rows = [_sync_row(track, top_n_moods=request.top_n_moods) for track in found]
        if request.include_embeddings:
            _attach_embeddings(rows, found)
    return {
        "tracks": rows,
        "total_tracks": total,
        "provider_type": provider_type,
        "has_more": has_more,
        "next_page": request.page + 1 if has_more else None,
    }


def _sync_row(track: Track, *, top_n_moods: int) -> dict:
    return {
        "id": track.item_id,
        "title": track.title,
        "artist": track.author,
        "album_artist": track.album_artist,
        "album": track.album,
        **analysed_track_fields(track, top_n_moods=top_n_moods),
        "rating": None,  # no ratings are kept
        "umap_x": None,  # no map projection is computed
        "umap_y": None,
        "fp": analysis_fingerprint(track, top_n_moods=top_n_moods),
    }


def analysis_fingerprint(track: Track, *, top_n_moods: int) -> str:
    """16 hex characters that change whenever the track's analysis does (compared for equality only)."""
    analysis = track.analysis
    text = "|".join(
        str(value)
        for value in (
            mood_vector_text(analysis.moods or {}, top_n=top_n_moods),
            analysis.energy,
            other_features_text(analysis.other_features or {}),
            analysis.tempo,
            analysis.key,
            analysis.scale,
        )
    )
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()[:16]


def _attach_embeddings(rows: list[dict], tracks: list[Track]) -> None:
    """``embedding``: the track's vector as base64 of little-endian float32 (AudioMuse-AI's bytes); None if none."""
    vectors = dict(
        Track.objects.filter(pk__in=[track.pk for track in tracks], embedding__isnull=False).values_list(
            "item_id", "embedding__vector"
        )
    )
    for row in rows:
        vector = vectors.get(row["id"])
        row["embedding"] = (
            None if vector is None else base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")
        )
