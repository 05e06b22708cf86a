"""Writes to tracks and their analysis, and the analysis run's bookkeeping."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from analysis.models import AnalysisFailure, Embedding, Track, TrackAnalysis

_TRACK_FIELDS = ("title", "author", "artist_id", "album", "album_artist", "duration", "year", "path")


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


def track_analysis_save(*, item_id: str, server_type: str, metadata: dict, analysis) -> Track:
    """Store one analysed track: metadata, scores and embedding together, or nothing."""
    with transaction.atomic():
        track = track_upsert(item_id=item_id, server_type=server_type, **metadata)
        TrackAnalysis.objects.update_or_create(
            track=track,
            defaults={
                "tempo": analysis.tempo,
                "key": analysis.key,
                "scale": analysis.scale,
                "energy": analysis.energy,
                "moods": analysis.msd_tags,
                "other_features": analysis.other_features,
                "model_version": analysis.model_version,
                "analysed_at": timezone.now(),
            },
        )
        Embedding.objects.update_or_create(
            track=track, defaults={"vector": analysis.embedding, "model_version": analysis.model_version}
        )
        AnalysisFailure.objects.filter(item_id=item_id).delete()
    return track


def analysis_failure_record(*, item_id: str, metadata: dict, error: Exception, task_id: str | None) -> None:
    """Remember why a track could not be analysed (shown in the admin and the task log)."""
    AnalysisFailure.objects.update_or_create(
        item_id=item_id,
        defaults={
            "title": metadata.get("title", "")[:512],
            "author": metadata.get("author", "")[:512],
            "album": metadata.get("album", "")[:512],
            "error_type": type(error).__name__,
            "reason": str(error) or type(error).__name__,
            "task_id": task_id,
        },
    )
