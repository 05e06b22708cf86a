"""Writing a track's bytes to a temporary file: chunked, size-capped, never left half-written."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from mediaservers.errors import TrackTooLarge

logger = logging.getLogger("mediaservers")

CHUNK_BYTES = 1024 * 1024
AUDIO_SUFFIXES = frozenset(
    {".mp3", ".flac", ".ogg", ".oga", ".opus", ".wav", ".m4a", ".aac", ".wma", ".aiff", ".aif", ".ape", ".wv"}
)


def suffix_for(*names: str | None) -> str:
    """The first audio file suffix among candidate names, so decoders can guess the format."""
    for name in names:
        if name:
            suffix = Path(name.split("?")[0]).suffix.lower()
            if suffix in AUDIO_SUFFIXES:
                return suffix
    return ".audio"


def save_chunks(
    chunks: Iterable[bytes],
    *,
    dest_dir: Path,
    suffix: str,
    max_bytes: int,
    source: str,
) -> Path:
    """Write ``chunks`` to a new file in ``dest_dir``; TrackTooLarge past ``max_bytes``.

    The file is deleted if anything goes wrong (a dropped connection, the
    cap, a full disk), so callers never see a truncated track.
    """
    handle, name = tempfile.mkstemp(prefix="audiomuse-", suffix=suffix, dir=dest_dir)
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as output:
            written = 0
            for chunk in chunks:
                written += len(chunk)
                if written > max_bytes:
                    logger.warning("mediaserver.download.too_large", extra={"source": source, "max_bytes": max_bytes})
                    raise TrackTooLarge(f"{source} is larger than the {max_bytes // (1024 * 1024)} MB download cap")
                output.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def copy_file(source: Path, *, dest_dir: Path, max_bytes: int) -> Path:
    """A size-capped copy of a file we can read directly (the local folder, MPD's music directory)."""
    return save_chunks(
        _file_chunks(source), dest_dir=dest_dir, suffix=source.suffix.lower(), max_bytes=max_bytes, source=str(source)
    )


def _file_chunks(path: Path) -> Iterable[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            yield chunk
