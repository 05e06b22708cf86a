"""Reads of tracks and their analysis."""

from __future__ import annotations

from analysis.models import Track


def library_counts() -> dict[str, int]:
    """How many tracks we know and how many are analysed (for the dashboard)."""
    return {
        "tracks": Track.objects.count(),
        "analysed": Track.objects.filter(analysis__isnull=False, embedding__isnull=False).count(),
    }
