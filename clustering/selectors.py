"""Reads (selectors) of the clustering app."""

from __future__ import annotations

import threading

import numpy as np
from django.db.models import Count, IntegerField, Max, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from analysis.models import Track
from clustering import config as clustering_settings
from clustering.engine import ClusteringData, build_clustering_data, probability_matrix
from clustering.engine.defaults import OTHER_FEATURE_LABELS
from playlists.models import Playlist, PlaylistOrigin
from scheduling.models import TERMINAL_STATES, WorkItem

# One library per worker process: batches of the same job (and the next job, if
# nothing was analysed in between) reuse it instead of reading every row again.
_cache_lock = threading.Lock()
_cached: tuple[tuple, ClusteringData] | None = None


def _analysed_tracks():
    """Tracks with both an analysis and an embedding: the ones clustering can use."""
    return Track.objects.filter(analysis__isnull=False, embedding__isnull=False)


def library_fingerprint() -> tuple:
    """Cheap summary that changes whenever an analysed track is added, re-analysed or removed."""
    summary = _analysed_tracks().aggregate(
        count=Count("pk"),
        last_pk=Max("pk"),
        analysed=Max("analysis__analysed_at"),
        embedded=Max("embedding__created_at"),
    )
    labels = (clustering_settings.mood_labels(), clustering_settings.tempo_range_bpm())
    return (summary["count"], summary["last_pk"], summary["analysed"], summary["embedded"], labels)


def analysed_track_count() -> int:
    return _analysed_tracks().count()


def clustering_data_load(*, chunk_size: int) -> ClusteringData:
    """The analysed library as the engine's ClusteringData, read ``chunk_size`` rows at a time."""
    global _cached
    fingerprint = library_fingerprint()
    with _cache_lock:
        if _cached is not None and _cached[0] == fingerprint:
            return _cached[1]
        data = _clustering_data_read(chunk_size=chunk_size)
        _cached = (fingerprint, data)
        return data


def _clustering_data_read(*, chunk_size: int) -> ClusteringData:
    columns = ("item_id", "author", "analysis__tempo", "analysis__energy", "analysis__moods",
               "analysis__other_features", "embedding__vector")  # fmt: skip
    rows = _analysed_tracks().order_by("pk").values_list(*columns).iterator(chunk_size=chunk_size)
    item_ids, artists, tempo, energy, moods, others, vectors = [], [], [], [], [], [], []
    for item_id, author, track_tempo, track_energy, track_moods, track_others, vector in rows:
        item_ids.append(item_id)
        artists.append(author or "")
        tempo.append(np.nan if track_tempo is None else track_tempo)
        energy.append(np.nan if track_energy is None else track_energy)
        moods.append(track_moods or {})
        others.append(track_others or {})
        vectors.append(np.asarray(vector, dtype=np.float32))
    labels = clustering_settings.mood_labels()
    return build_clustering_data(
        item_ids=item_ids,
        embeddings=np.vstack(vectors) if vectors else np.zeros((0, 1), dtype=np.float32),
        tempo_bpm=np.asarray(tempo, dtype=np.float64),
        energy=np.asarray(energy, dtype=np.float64),
        moods=probability_matrix(moods, labels=labels),
        other_features=probability_matrix(others, labels=OTHER_FEATURE_LABELS),
        artists=artists,
        mood_labels=labels,
        tempo_range_bpm=clustering_settings.tempo_range_bpm(),
    )


def latest_clustering_playlists() -> list[Playlist]:
    """The playlists of the most recent clustering run that wrote any, with their tracks.

    The run is chosen by when it was created, never by the newest playlist row: only clustering
    writes rows of its origin, and a run's rows all belong to that run.
    """
    clustering = Playlist.objects.filter(origin=PlaylistOrigin.CLUSTERING, task__isnull=False)
    latest_run = clustering.order_by("-task__created_at", "-task_id").values_list("task_id", flat=True).first()
    if latest_run is None:
        return []
    playlists = clustering.filter(task_id=latest_run)
    return list(playlists.order_by("name").prefetch_related("entries__track"))


def playlists_payload(playlists: list[Playlist]) -> dict[str, list[dict[str, str]]]:
    """``{name: [{item_id, title, author}]}`` in playing order, as AudioMuse-AI clients read it."""
    return {
        playlist.name: [
            {"item_id": entry.track.item_id, "title": entry.track.title, "author": entry.track.author}
            for entry in sorted(playlist.entries.all(), key=lambda entry: entry.position)
        ]
        for playlist in playlists
    }


def clustering_runs_completed(*, run_id: str) -> int:
    """Runs in the job's batches that ended, however they ended."""
    iterations = Cast(KeyTextTransform("iterations", "params"), IntegerField())
    done = WorkItem.objects.filter(run_id=run_id, child__status__in=TERMINAL_STATES)
    return done.aggregate(runs=Sum(iterations))["runs"] or 0


def clustering_best_score(*, run_id: str) -> float | None:
    return WorkItem.objects.filter(run_id=run_id).aggregate(best=Max("score"))["best"]
