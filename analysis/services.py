"""Writes to tracks and their analysis."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from analysis.models import Track

_TRACK_FIELDS = ("title", "author", "album", "album_artist", "duration", "year", "path")


def track_upsert(*, item_id: str, server_type: str, **metadata) -> Track:
    """Create or refresh a track from the media server's metadata."""
    unknown = set(metadata) - set(_TRACK_FIELDS)
    if unknown:
        raise TypeError(f"unknown track fields: {', '.join(sorted(unknown))}")
    track, _ = Track.objects.update_or_create(item_id=item_id, defaults={"server_type": server_type, **metadata})
    return track


def tracks_delete(*, item_ids: Iterable[str]) -> int:
    """Delete tracks with their analysis, embedding and playlist entries; returns how many."""
    with transaction.atomic():
        tracks = Track.objects.filter(item_id__in=list(item_ids))
        count = tracks.count()
        tracks.delete()
    return count
