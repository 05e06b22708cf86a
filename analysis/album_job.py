"""One album job: download each track, analyse it, save it; never lose the album to one bad file."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from analysis import services
from analysis.audio.errors import AudioError
from analysis.models import Track
from common.config import setting
from mediaservers.adapters import MediaServerAdapter
from mediaservers.adapters import Track as ServerTrack
from mediaservers.errors import MediaServerAuthError, MediaServerError, MediaServerUnavailable
from mediaservers.selectors import current_adapter
from scheduling import services as task_services
from scheduling.selectors import any_task_ended

logger = logging.getLogger(__name__)


@dataclass
class AlbumOutcome:
    tracks_analysed: int = 0
    tracks_skipped: int = 0
    tracks_failed: int = 0
    failures: list[str] = field(default_factory=list)
    cancelled: bool = False

    def counters(self) -> dict:
        return {
            "tracks_analysed": self.tracks_analysed,
            "tracks_skipped": self.tracks_skipped,
            "tracks_failed": self.tracks_failed,
        }


class MediaServerGone(Exception):
    """The media server stopped answering: the whole run must stop, not just this track."""


def _analyzer():
    """The analyser module, imported on first use: it loads ONNX Runtime, which web processes
    (they import this module through the job registry) never need."""
    from analysis import analyzer

    return analyzer


def analysis_model_version() -> str:
    """The stamp of the models in use; tracks with another stamp get analysed again."""
    return _analyzer().current_model_version()


def album_analysis_run(*, child_id: str, run_id: str, album_id: str) -> AlbumOutcome:
    """Analyse the album's tracks that are not current; expected failures are recorded, not raised.

    Raises MediaServerGone when the server is unreachable or refuses us, so the
    caller can fail the run with that message.
    """
    with current_adapter() as adapter:
        try:
            tracks = adapter.album_tracks(album_id)
        except (MediaServerUnavailable, MediaServerAuthError) as exc:
            raise MediaServerGone(str(exc)) from exc
        return _analyse_tracks(adapter, tracks, child_id=child_id, run_id=run_id)


def _analyse_tracks(
    adapter: MediaServerAdapter, tracks: list[ServerTrack], *, child_id: str, run_id: str
) -> AlbumOutcome:
    version = analysis_model_version()
    work_dir = Path(setting("TEMP_DIR")) / child_id
    outcome = AlbumOutcome()
    try:
        for position, track in enumerate(tracks, start=1):
            if any_task_ended(child_id, run_id):
                outcome.cancelled = True
                break
            _analyse_one(adapter, track, version=version, work_dir=work_dir, child_id=child_id, outcome=outcome)
            task_services.task_status_update(
                task_id=child_id,
                status_message=f"{position}/{len(tracks)}: {track.artist} - {track.title}",
                progress=int(100 * position / max(len(tracks), 1)),
                counters=outcome.counters(),
            )
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return outcome


def _analyse_one(
    adapter: MediaServerAdapter, track: ServerTrack, *, version: str, work_dir: Path, child_id: str, outcome
) -> None:
    metadata = _metadata(track)
    if Track.objects.filter(item_id=track.id, analysis__model_version=version, embedding__isnull=False).exists():
        outcome.tracks_skipped += 1
        return
    try:
        with adapter.downloaded(track, dest_dir=work_dir) as path:
            result = _analyzer().analyze_path(path)
    except (MediaServerUnavailable, MediaServerAuthError) as exc:
        raise MediaServerGone(str(exc)) from exc
    except (AudioError, MediaServerError) as exc:
        services.analysis_failure_record(item_id=track.id, metadata=metadata, error=exc, task_id=child_id)
        outcome.tracks_failed += 1
        outcome.failures.append(f"{track.artist} - {track.title}: {type(exc).__name__}: {exc}")
        logger.warning("analysis.track.failed", extra={"item_id": track.id, "error": str(exc)})
        return
    services.track_analysis_save(item_id=track.id, server_type=adapter.server_type, metadata=metadata, analysis=result)
    outcome.tracks_analysed += 1


def _metadata(track: ServerTrack) -> dict:
    return {
        "title": (track.title or "")[:512],
        "author": (track.artist or "")[:512],
        "artist_id": (track.artist_id or "")[:255],
        "album": (track.album or "")[:512],
        "album_artist": (track.album_artist or "")[:512],
        "duration": track.duration_seconds,
        "year": track.year if track.year and 0 < track.year < 32768 else None,
        "path": track.path or "",
    }
