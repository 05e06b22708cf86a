"""Decode one audio file into the mono float32 signal every analysis step uses.

The result matches ``librosa.load(path, sr=16000)`` sample for sample for the
formats libsndfile reads (WAV, FLAC, OGG Vorbis/Opus, MP3, AIFF, ...): the
same reader, the same channel mean and the same ``soxr_hq`` resampler. Formats
libsndfile cannot read (M4A/AAC/ALAC, WMA, Opus in other containers, ...) are
decoded with PyAV's bundled FFmpeg and then go through the same channel mean
and resampler. librosa.load itself is not called: its fallback is audioread,
which needs a system ffmpeg, and it cannot be interrupted.

Memory. Each decoded block is mixed to mono and fed at once to a streaming
soxr resampler, so the track is never held at its native rate: a 10-minute
48 kHz file peaks near twice its 16 kHz result (2 x 38 MB), instead of twice
its native samples plus librosa.resample's temporaries (its input check and
fix_length each allocate several times the signal). soxr's stream computes
exactly what its one-shot call does, so the samples still equal
librosa.load's bit for bit.

Timeout design. The decode is bounded by a deadline checked between blocks of
decoded audio (one libsndfile read of ``_SOUNDFILE_BLOCK_FRAMES`` frames, or
one demuxed packet), so work really stops soon after the limit and no thread
or process is left running. A child process was rejected: Celery's prefork
workers are daemonic and may not start children, forking a worker that holds
ONNX Runtime/OpenBLAS threads is unsafe, and spawning costs the numpy/librosa
import per track. ``signal.alarm`` was rejected too: it only works in the main
thread and clashes with Celery's own time limits. What a cooperative deadline
cannot interrupt is a single native call (opening and probing a container,
bounded by FFmpeg's 5 MB probe size, or the final resample, bounded by
``max_duration_seconds``); the task's Celery hard time limit is the backstop
for those.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
import soundfile
import soxr

from analysis.audio.errors import (
    AudioDecodeError,
    AudioTimeoutError,
    AudioTooShortError,
    EmptyAudioError,
    SilentAudioError,
)
from analysis.audio.features import rms_dbfs
from analysis.audio.melspec import MIN_PATCH_SECONDS

logger = logging.getLogger(__name__)

DECODER_SOUNDFILE = "soundfile"
DECODER_PYAV = "pyav"

# The resampler librosa.load uses by default (librosa >= 0.10); the musicnn
# references were produced with it.
RESAMPLER = "soxr_hq"

# A track is silent when its loudest sample stays below -80 dBFS (about three
# 16-bit LSBs) or its RMS level, 10*log10(mean(x**2)), stays below -70 dBFS.
# The RMS test catches noise-shaped dither, whose peaks can exceed 1e-4 while
# its RMS stays near -90 dBFS; whole real tracks rarely average below -50.
SILENCE_PEAK = 1e-4
SILENCE_RMS_DBFS = -70.0

# ~1.7 s at 44.1 kHz: small enough for a prompt deadline check, large enough
# that the Python loop costs nothing next to the decoding. It must be a
# multiple of 1152, the MPEG audio frame length (layer I: 384, layer III at
# 22/24 kHz: 576): libsndfile's MP3 reader returns slightly different samples
# (~1e-9) after a read that ends inside an MPEG frame, and librosa.load reads
# everything in one call.
_SOUNDFILE_BLOCK_FRAMES = 64 * 1152

# FFmpeg skips a corrupt packet and carries on; so do we, but a file made of
# nothing else is not audio.
_MAX_BAD_PACKETS = 100

_SOUNDFILE_ERRORS = (soundfile.SoundFileError, RuntimeError, ValueError, OSError, EOFError)
_PYAV_ERRORS = (av.FFmpegError, RuntimeError, ValueError, OSError, EOFError, IndexError)


@dataclass(frozen=True, eq=False)
class DecodedAudio:
    """A decoded track, ready for analysis.

    samples: np.ndarray [shape=(n,), dtype=float32], mono, read-only.
    sample_rate: Hz of ``samples``.
    duration_seconds: length of ``samples`` (what gets analysed).
    source_duration_seconds: the whole file's length as its container states
        it, or None when unknown; larger than duration_seconds when the file
        was cut at ``max_duration_seconds``.
    source_sample_rate: Hz of the decoded stream before resampling.
    decoder: ``"soundfile"`` or ``"pyav"``.
    """

    samples: np.ndarray = field(repr=False)
    sample_rate: int
    duration_seconds: float
    source_duration_seconds: float | None
    source_sample_rate: int
    decoder: str


@dataclass(frozen=True, eq=False)
class _DecodedStream:
    """Mono float32 samples already resampled, and what the file said about itself."""

    samples: np.ndarray
    source_sample_rate: int
    source_duration_seconds: float | None
    decoder: str


class _MonoResampler:
    """Mono blocks at the stream's rate in, one float32 signal at ``target_rate`` out.

    The result equals ``librosa.resample(whole, res_type=RESAMPLER)`` of all the
    blocks joined: soxr's stream gives the one-shot call's samples whatever the
    block sizes, and finish() pads or trims to ceil(n * ratio) as librosa does.
    With ``expected_input`` (frames the file announces), the output is written
    into one array allocated up front instead of being joined at the end, which
    would briefly hold it twice.
    """

    def __init__(self, *, target_rate: int, expected_input: int | None = None) -> None:
        self._target_rate = target_rate
        self._expected_input = expected_input
        self._source_rate = 0
        self._stream: soxr.ResampleStream | None = None
        self._buffer = np.zeros(0, dtype=np.float32)
        self._written = 0
        self._overflow: list[np.ndarray] = []
        self._n_input = 0

    @property
    def source_rate(self) -> int:
        return self._source_rate

    def add(self, block: np.ndarray, *, source_rate: int) -> None:
        """block: np.ndarray [shape=(k,), dtype=float32] at source_rate Hz."""
        if not np.isfinite(block).all():
            raise AudioDecodeError("the decoded samples contain NaN or infinity")
        if not self._source_rate:
            self._start(source_rate)
        self._n_input += block.size
        self._store(block if self._stream is None else self._stream.resample_chunk(block))

    def finish(self) -> np.ndarray:
        """The whole resampled signal [shape=(ceil(n * target / source),), dtype=float32]."""
        if self._stream is not None:
            self._store(self._stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
        size = self._output_size(self._n_input)
        samples = self._buffer[: self._written]
        if self._overflow:
            samples = np.concatenate([samples, *self._overflow])
        elif size <= self._buffer.size:
            # The buffer's unwritten tail is zeros: librosa's fix_length padding.
            return self._buffer[:size]
        if samples.size >= size:
            return samples[:size]
        return np.concatenate([samples, np.zeros(size - samples.size, dtype=np.float32)])

    def _start(self, source_rate: int) -> None:
        self._source_rate = source_rate
        if source_rate != self._target_rate:
            self._stream = soxr.ResampleStream(source_rate, self._target_rate, 1, dtype="float32", quality=RESAMPLER)
        if self._expected_input:
            self._buffer = np.zeros(self._output_size(self._expected_input), dtype=np.float32)

    def _output_size(self, n_input: int) -> int:
        """librosa.resample's output length (no resampling: the input's)."""
        if self._stream is None:
            return n_input
        return math.ceil(n_input * self._target_rate / self._source_rate)

    def _store(self, resampled: np.ndarray) -> None:
        if self._overflow or self._written + resampled.size > self._buffer.size:
            self._overflow.append(resampled)  # no or too small an estimate: join at the end
            return
        self._buffer[self._written : self._written + resampled.size] = resampled
        self._written += resampled.size


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._expires_at = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self._expires_at:
            raise AudioTimeoutError(f"decoding took longer than {self._seconds:g} s")


def decode_audio(
    path: str | Path,
    *,
    sample_rate: int = 16000,
    max_duration_seconds: float = 600.0,
    timeout_seconds: float = 120.0,
) -> DecodedAudio:
    """Decode the first ``max_duration_seconds`` of ``path`` to mono float32 at ``sample_rate``.

    Raises AudioDecodeError (unreadable, corrupt), EmptyAudioError (no samples),
    AudioTooShortError (under one 2.976-s analysis patch), SilentAudioError
    (see SILENCE_PEAK / SILENCE_RMS_DBFS) or AudioTimeoutError.
    """
    _check_decode_arguments(
        sample_rate=sample_rate,
        max_duration_seconds=max_duration_seconds,
        timeout_seconds=timeout_seconds,
    )
    path = Path(path)
    if not path.is_file():
        raise AudioDecodeError(f"{path.name}: no such file")
    decoded = _decode_stream(
        path, sample_rate=sample_rate, max_duration_seconds=max_duration_seconds, deadline=_Deadline(timeout_seconds)
    )
    samples = decoded.samples
    _check_analysable(samples, sample_rate=sample_rate)
    samples.setflags(write=False)
    return DecodedAudio(
        samples=samples,
        sample_rate=sample_rate,
        duration_seconds=samples.size / sample_rate,
        source_duration_seconds=decoded.source_duration_seconds,
        source_sample_rate=decoded.source_sample_rate,
        decoder=decoded.decoder,
    )


def _check_decode_arguments(*, sample_rate: int, max_duration_seconds: float, timeout_seconds: float) -> None:
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    if not max_duration_seconds >= MIN_PATCH_SECONDS:
        raise ValueError(
            f"max_duration_seconds must be at least one analysis patch "
            f"({MIN_PATCH_SECONDS:.3f} s), got {max_duration_seconds}"
        )
    if not timeout_seconds > 0:
        raise ValueError(f"timeout_seconds must be positive, got {timeout_seconds}")


def _decode_stream(path: Path, *, sample_rate: int, max_duration_seconds: float, deadline: _Deadline) -> _DecodedStream:
    """One decode per track: libsndfile first, PyAV only when libsndfile fails or finds nothing."""
    limits = {"sample_rate": sample_rate, "max_duration_seconds": max_duration_seconds, "deadline": deadline}
    try:
        decoded = _decode_with_soundfile(path, **limits)
        if decoded.samples.size:
            return decoded
        soundfile_reason = "no samples"
    except AudioDecodeError as exc:
        soundfile_reason = str(exc)
    logger.debug(
        "analysis.audio.decode.fallback",
        extra={"path": str(path), "decoder": DECODER_PYAV, "reason": soundfile_reason},
    )
    try:
        decoded = _decode_with_pyav(path, **limits)
    except AudioDecodeError as exc:
        raise AudioDecodeError(f"{path.name}: cannot decode (soundfile: {soundfile_reason}; pyav: {exc})") from exc
    if not decoded.samples.size:
        raise EmptyAudioError(f"{path.name}: the file holds no audio samples")
    return decoded


def _decode_with_soundfile(
    path: Path, *, sample_rate: int, max_duration_seconds: float, deadline: _Deadline
) -> _DecodedStream:
    """Read like librosa.load's soundfile branch (float32, then mean over channels), in blocks."""
    try:
        with soundfile.SoundFile(path) as sound:
            remaining = int(max_duration_seconds * sound.samplerate)  # as librosa's duration=
            announced = _soundfile_frames(sound)
            resampler = _MonoResampler(
                target_rate=sample_rate, expected_input=None if announced is None else min(announced, remaining)
            )
            while remaining > 0:
                deadline.check()
                block = sound.read(frames=min(_SOUNDFILE_BLOCK_FRAMES, remaining), dtype="float32", always_2d=True)
                if not len(block):
                    break
                resampler.add(_mix_to_mono(block.T), source_rate=sound.samplerate)
                remaining -= len(block)
            deadline.check()
            return _DecodedStream(
                samples=resampler.finish(),
                source_sample_rate=sound.samplerate,
                source_duration_seconds=_soundfile_duration(sound),
                decoder=DECODER_SOUNDFILE,
            )
    except _SOUNDFILE_ERRORS as exc:
        raise AudioDecodeError(_without_folder(exc, path)) from exc


def _without_folder(exc: Exception, path: Path) -> str:
    """The decoder's message naming the file only: the folder is a temporary one, of no use to anyone reading it."""
    return str(exc).replace(str(path), path.name)


def _soundfile_frames(sound: soundfile.SoundFile) -> int | None:
    # libsndfile reports SF_COUNT_MAX frames for streams of unknown length.
    return sound.frames if 0 < sound.frames < 2**62 else None


def _soundfile_duration(sound: soundfile.SoundFile) -> float | None:
    frames = _soundfile_frames(sound)
    return None if frames is None else frames / sound.samplerate


def _decode_with_pyav(
    path: Path, *, sample_rate: int, max_duration_seconds: float, deadline: _Deadline
) -> _DecodedStream:
    """Decode the first audio stream with FFmpeg, stopping once max_duration_seconds are read."""
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioDecodeError("the file has no audio stream")
            stream = container.streams.audio[0]
            resampler = _MonoResampler(target_rate=sample_rate)
            _pyav_read_mono(
                container, stream, resampler=resampler, max_duration_seconds=max_duration_seconds, deadline=deadline
            )
            deadline.check()
            return _DecodedStream(
                samples=resampler.finish(),
                source_sample_rate=resampler.source_rate,
                source_duration_seconds=_pyav_duration(container, stream),
                decoder=DECODER_PYAV,
            )
    except _PYAV_ERRORS as exc:
        raise AudioDecodeError(_without_folder(exc, path)) from exc


def _pyav_read_mono(
    container: av.container.InputContainer,
    stream: av.AudioStream,
    *,
    resampler: _MonoResampler,
    max_duration_seconds: float,
    deadline: _Deadline,
) -> None:
    """Feed the stream's first max_duration_seconds to ``resampler``, block by block."""
    # Only the sample format is converted (to planar float, scaled like
    # libsndfile: int16 / 32768); channels are averaged and the rate is
    # converted by the same code as the soundfile path.
    converter = av.AudioResampler(format="fltp")
    remaining = math.inf
    bad_packets = 0
    for packet in container.demux(stream):
        deadline.check()
        try:
            frames = packet.decode()
        except av.FFmpegError:
            bad_packets += 1
            if bad_packets > _MAX_BAD_PACKETS:
                raise
            continue
        for frame in frames:
            if not resampler.source_rate:
                remaining = int(max_duration_seconds * frame.sample_rate)
            if resampler.source_rate and frame.sample_rate != resampler.source_rate:
                raise AudioDecodeError(
                    f"sample rate changes mid-stream ({resampler.source_rate} -> {frame.sample_rate} Hz)"
                )
            for converted in converter.resample(frame):
                block = _mix_to_mono(converted.to_ndarray())[: max(remaining, 0)]
                if block.size:
                    resampler.add(block, source_rate=frame.sample_rate)
                remaining -= block.size
        if remaining <= 0:
            return


def _pyav_duration(container: av.container.InputContainer, stream: av.AudioStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _mix_to_mono(channels: np.ndarray) -> np.ndarray:
    """channels [shape=(n_channels, n)] -> [shape=(n,)], the arithmetic of librosa.to_mono."""
    return np.mean(channels, axis=0, dtype=np.float32)


def _check_analysable(samples: np.ndarray, *, sample_rate: int) -> None:
    min_samples = math.ceil(MIN_PATCH_SECONDS * sample_rate)
    if samples.size < min_samples:
        raise AudioTooShortError(
            f"{samples.size / sample_rate:.3f} s of audio is shorter than one {MIN_PATCH_SECONDS:.3f}-s analysis patch"
        )
    peak = max(float(np.max(samples)), -float(np.min(samples)))  # np.abs would copy the track
    level_dbfs = rms_dbfs(samples)
    if peak < SILENCE_PEAK or level_dbfs < SILENCE_RMS_DBFS:
        raise SilentAudioError(f"the audio is silent (peak {peak:.2e}, RMS {level_dbfs:.1f} dBFS)")
