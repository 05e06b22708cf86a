"""The library summary AudioMuse-AI's dashboard shows and its clients read: counts, coverage, charts.

Computing it scans every analysis, so it is kept in Redis under a fingerprint of the library (track
count, latest track change, latest analysis): any change to the tracks gives a new key, so a summary
is never stale, and after each analysis batch the worker computes the new one (``library_changed``)
before anyone asks. Without Redis it is computed on each request.
"""

from __future__ import annotations

import hashlib
import json
import logging

import redis
from django.db import connection
from django.db.models import Avg, Count, F, Max, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from analysis.models import AnalysisFailure, Embedding, Track, TrackAnalysis
from common.config import setting

logger = logging.getLogger(__name__)

CACHE_PREFIX = "audiomuse:library-summary:"
CACHE_SECONDS = 7 * 24 * 3600  # keys of older fingerprints expire on their own
# AudioMuse-AI's tempo chart buckets, in BPM: [low, high).
TEMPO_BUCKETS = {"slow": (0, 85), "medium": (85, 110), "fast": (110, 140), "very_fast": (140, None)}


def library_summary() -> dict:
    """``{"content": {...}, "stats_updated_at": iso}``: the cached summary of the library as it is now."""
    key = CACHE_PREFIX + _library_fingerprint()
    with redis.Redis.from_url(setting("REDIS_URL"), socket_timeout=2) as client:
        cached = _cache_get(client, key)
        if cached is not None:
            return cached
        summary = {"content": library_summary_compute(), "stats_updated_at": timezone.now().isoformat()}
        _cache_set(client, key, summary)
    return summary


def library_summary_refresh_on_library_change(**_signal_kwargs) -> None:
    """Receiver of analysis' ``library_changed``: the next dashboard request finds the summary ready."""
    library_summary()


def library_summary_compute() -> dict:
    """Counts over analysed tracks (those with an analysis), dominant-label charts and the tempo profile."""
    analysed = Track.objects.filter(analysis__isnull=False)
    counts = analysed.aggregate(
        total_songs=Count("id"),
        distinct_artists=Count("author", distinct=True, filter=~Q(author="")),
    )
    albums = (
        analysed.exclude(album="")
        .annotate(album_owner=Coalesce(NullIf("album_artist", Value("")), F("author")))
        .values("album_owner", "album")
        .distinct()
        .count()
    )
    return {
        **counts,
        "distinct_albums": albums,
        "known_songs": Track.objects.count(),
        "analysed_songs": counts["total_songs"],
        "embedded_songs": Embedding.objects.count(),
        "unanalyzable_tracks": AnalysisFailure.objects.count(),
        "clap_indexed": 0,  # no text-search (CLAP) embeddings are computed
        "moods_coverage": _dominant_label_counts("other_features", with_score=True),
        "top_genre": _dominant_label_counts("moods"),
        "tempo_profile": _tempo_profile(),
    }


def _dominant_label_counts(column: str, *, with_score: bool = False) -> list[dict]:
    """[{label, count}]: how many analysed songs each label wins (their strongest tag), most first.

    ``score`` repeats the count under the name older AudioMuse-AI dashboards used.
    """
    table = TrackAnalysis._meta.db_table
    sql = f"""
        SELECT label, COUNT(*) FROM (
            SELECT DISTINCT ON (a.track_id) f.key AS label, (f.value #>> '{{}}')::float AS score
            FROM {table} a, jsonb_each(a.{column}) f
            WHERE jsonb_typeof(f.value) = 'number'
            ORDER BY a.track_id, score DESC, label
        ) strongest
        WHERE score > 0
        GROUP BY label ORDER BY COUNT(*) DESC, label
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    if with_score:
        return [{"label": label, "count": count, "score": count} for label, count in rows]
    return [{"label": label, "count": count} for label, count in rows]


def _tempo_profile() -> dict:
    buckets = {
        name: Count("track_id", filter=Q(tempo__gt=0, tempo__gte=low) & (Q() if high is None else Q(tempo__lt=high)))
        for name, (low, high) in TEMPO_BUCKETS.items()
    }
    profile = TrackAnalysis.objects.aggregate(**buckets, avg_tempo=Avg("tempo", filter=Q(tempo__gt=0)))
    if profile["avg_tempo"] is not None:
        profile["avg_tempo"] = round(profile["avg_tempo"], 1)
    return profile


def _library_fingerprint() -> str:
    """Changes whenever a track is added, removed, renamed or analysed again (two indexed aggregates)."""
    tracks = Track.objects.aggregate(count=Count("id"), changed=Max("updated_at"))
    analyses = TrackAnalysis.objects.aggregate(count=Count("track_id"), analysed=Max("analysed_at"))
    text = f"{tracks['count']}|{tracks['changed']}|{analyses['count']}|{analyses['analysed']}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _cache_get(client: redis.Redis, key: str) -> dict | None:
    try:
        raw = client.get(key)
    except redis.RedisError as exc:
        logger.warning("similarity.library_summary.cache_unavailable", extra={"error": str(exc)})
        return None
    return None if raw is None else json.loads(raw)


def _cache_set(client: redis.Redis, key: str, summary: dict) -> None:
    try:
        client.set(key, json.dumps(summary), ex=CACHE_SECONDS)
    except redis.RedisError as exc:
        logger.warning("similarity.library_summary.cache_unavailable", extra={"error": str(exc)})
