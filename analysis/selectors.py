"""Reads of tracks and their analysis."""

from __future__ import annotations

from datetime import datetime

from analysis.models import AnalysisFailure, Track, TrackAnalysis


def library_counts() -> dict[str, int]:
    """How many tracks we know and how many are analysed (for the dashboard)."""
    return {
        "tracks": Track.objects.count(),
        "analysed": Track.objects.filter(analysis__isnull=False, embedding__isnull=False).count(),
    }


def analysis_counts_since(*, since: datetime) -> dict[str, int]:
    """Tracks analysed and tracks recorded as failed since ``since``, counted from what is stored.

    A worker killed mid-album never reports its counts, but every track it saved is here.
    """
    return {
        "tracks_analysed": TrackAnalysis.objects.filter(analysed_at__gte=since).count(),
        "tracks_failed": AnalysisFailure.objects.filter(failed_at__gte=since).count(),
    }
