"""The musicnn log-mel front-end, reproducing the reference preprocessing.

Reference (musicnn 0.1.0 ``batch_data`` under librosa 0.11 and numpy < 2)::

    mel = librosa.feature.melspectrogram(y=y, sr=16000, hop_length=256, n_fft=512, n_mels=96).T
    log_mel = log10(float32(10000) * float32(float16(mel)) + 1)      # in float32
    patches = [log_mel[s:s + 187] for s in range(0, T - 187 + 1, 187)]

The STFT is centred with zero (``pad_mode='constant'``) padding and a Hann
window; the mel filterbank is librosa's Slaney one (fmin 0, fmax sr/2).
Orientation: spectrograms follow librosa, ``(n_bins, n_frames)``; the log-mel
and the patches are time-major, as the network reads them.

Every frame depends only on its own 512 samples, so the streaming helpers can
compute the spectrograms and patches chunk by chunk and get exactly the
one-shot values.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

import librosa
import numpy as np

SAMPLE_RATE = 16000
N_FFT = 512
HOP_LENGTH = 256
N_MELS = 96
# librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1
PATCH_FRAMES = 187
# Fewest samples whose centred STFT has PATCH_FRAMES frames: 47,616 = 2.976 s.
MIN_PATCH_SAMPLES = (PATCH_FRAMES - 1) * HOP_LENGTH
MIN_PATCH_SECONDS = MIN_PATCH_SAMPLES / SAMPLE_RATE

_FLOAT16_MAX = float(np.finfo(np.float16).max)


def frame_count(n_samples: int, *, hop_length: int = HOP_LENGTH) -> int:
    """Frames of a centred STFT of ``n_samples`` samples (hop 256 unless given)."""
    return 1 + n_samples // hop_length


def power_spectrogram(
    samples: np.ndarray,
    *,
    first_frame: int = 0,
    stop_frame: int | None = None,
    n_fft: int = N_FFT,
    hop_length: int = HOP_LENGTH,
) -> np.ndarray:
    """Power STFT ``|X|**2`` of frames ``[first_frame, stop_frame)`` of the centred STFT.

    samples: np.ndarray [shape=(n,)], mono audio (cast to float32).
    Returns np.ndarray [shape=(n_fft // 2 + 1, n_frames), dtype=float32]; equal
    bit for bit to the same columns of ``abs(librosa.stft(samples, n_fft=n_fft,
    hop_length=hop_length, center=True, pad_mode='constant'))**2``.
    """
    samples = np.asarray(samples, dtype=np.float32)
    stop_frame = frame_count(samples.size, hop_length=hop_length) if stop_frame is None else stop_frame
    if stop_frame <= first_frame:
        return np.zeros((n_fft // 2 + 1, 0), dtype=np.float32)
    # Frame t of a centred STFT covers samples [t*hop - n_fft/2, t*hop + n_fft/2)
    # of the signal extended with zeros; cut exactly that span, then frame it
    # without centring.
    span_start = first_frame * hop_length - n_fft // 2
    span_stop = (stop_frame - 1) * hop_length + n_fft // 2
    span = np.zeros(span_stop - span_start, dtype=np.float32)
    copy_start, copy_stop = max(span_start, 0), min(span_stop, samples.size)
    if copy_stop > copy_start:
        span[copy_start - span_start : copy_stop - span_start] = samples[copy_start:copy_stop]
    spectrum = librosa.stft(span, n_fft=n_fft, hop_length=hop_length, window="hann", center=False)
    return np.abs(spectrum) ** 2


@functools.lru_cache(maxsize=4)
def _mel_basis(sample_rate: int) -> np.ndarray:
    basis = librosa.filters.mel(sr=sample_rate, n_fft=N_FFT, n_mels=N_MELS)
    basis.setflags(write=False)
    return basis


def mel_spectrogram(
    samples: np.ndarray | None = None,
    *,
    power: np.ndarray | None = None,
    sample_rate: int = SAMPLE_RATE,
) -> np.ndarray:
    """Mel power spectrogram, as ``librosa.feature.melspectrogram`` computes it.

    samples: np.ndarray [shape=(n,)], or None when ``power`` is given.
    power: np.ndarray [shape=(257, n_frames)], a precomputed power_spectrogram.
    Returns np.ndarray [shape=(96, n_frames), dtype=float32].
    """
    if power is None:
        if samples is None:
            raise ValueError("pass samples or a precomputed power spectrogram")
        power = power_spectrogram(samples)
    basis = _mel_basis(sample_rate)
    mel = np.empty((N_MELS, power.shape[1]), dtype=np.float32)
    # BLAS sums a matrix product's edge columns with other kernels than the
    # interior ones, so a frame's last bits would depend on how many frames are
    # multiplied at once, and float16 rounding can turn one last bit into a
    # 2e-4 log-mel step. Fixed blocks of PATCH_FRAMES columns, aligned on frame
    # 0, give every frame the same bits whether the audio is processed whole or
    # in chunks of patches.
    for start in range(0, power.shape[1], PATCH_FRAMES):
        block = np.ascontiguousarray(power[:, start : start + PATCH_FRAMES])
        # The product librosa.feature.melspectrogram uses.
        mel[:, start : start + PATCH_FRAMES] = np.einsum("...ft,mf->...mt", block, basis, optimize=True)
    return mel


def log_mel(
    samples: np.ndarray | None = None,
    *,
    mel: np.ndarray | None = None,
    sample_rate: int = SAMPLE_RATE,
) -> np.ndarray:
    """musicnn's log compression of the mel spectrogram, with numpy < 2 semantics.

    samples: np.ndarray [shape=(n,)] at ``sample_rate``, or None when ``mel`` is given.
    mel: np.ndarray [shape=(96, n_frames)], a precomputed mel_spectrogram.
    Returns np.ndarray [shape=(n_frames, 96), dtype=float32]:
    ``log10(10000 * float16(mel) + 1)`` evaluated in float32. Mel power above the
    float16 maximum (65504) saturates there instead of becoming infinite.
    """
    if mel is None:
        if samples is None:
            raise ValueError("pass samples or a precomputed mel spectrogram")
        mel = mel_spectrogram(samples, sample_rate=sample_rate)
    frames = np.ascontiguousarray(mel.T)
    rounded = np.minimum(frames, _FLOAT16_MAX).astype(np.float16).astype(np.float32)
    return np.log10(np.float32(10000) * rounded + np.float32(1))


def mel_patches(log_mel: np.ndarray, *, patch_frames: int = PATCH_FRAMES) -> np.ndarray:
    """Cut a log-mel into non-overlapping patches; the incomplete tail is dropped.

    log_mel: np.ndarray [shape=(n_frames, n_mels)].
    Returns np.ndarray [shape=(n_frames // patch_frames, patch_frames, n_mels)].
    """
    n_patches = log_mel.shape[0] // patch_frames
    return log_mel[: n_patches * patch_frames].reshape(n_patches, patch_frames, log_mel.shape[1])


@dataclass(frozen=True, eq=False)
class SpectrogramChunk:
    """One chunk of consecutive STFT frames and everything the analysis derives from them.

    first_frame: index of the chunk's first frame in the whole track's STFT.
    power: np.ndarray [shape=(257, k), dtype=float32], power_spectrogram columns.
    mel: np.ndarray [shape=(96, k), dtype=float32], mel_spectrogram(power=power).
    patches: np.ndarray [shape=(p, 187, 96), dtype=float32], the complete patches
        among these frames (the track's incomplete tail is in power/mel only).
    """

    first_frame: int
    power: np.ndarray
    mel: np.ndarray
    patches: np.ndarray


def iter_spectrogram_chunks(
    samples: np.ndarray, *, chunk_patches: int = 64, sample_rate: int = SAMPLE_RATE
) -> Iterator[SpectrogramChunk]:
    """Yield every frame of the track's STFT once, in chunks of ``chunk_patches`` patches.

    Chunks start on patch boundaries, so their patches concatenate to
    ``mel_patches(log_mel(samples))`` and their power/mel columns to the
    one-shot spectrograms, bit for bit; the last chunk also holds the tail
    frames after the last complete patch. Memory stays at one chunk (64
    patches = 191 s of audio) however long the track is.
    samples: np.ndarray [shape=(n,)] at ``sample_rate``.
    """
    if chunk_patches < 1:
        raise ValueError(f"chunk_patches must be at least 1, got {chunk_patches}")
    samples = np.asarray(samples, dtype=np.float32)
    n_frames = frame_count(samples.size)
    chunk_frames = chunk_patches * PATCH_FRAMES
    for first_frame in range(0, n_frames, chunk_frames):
        stop_frame = min(first_frame + chunk_frames, n_frames)
        power = power_spectrogram(samples, first_frame=first_frame, stop_frame=stop_frame)
        mel = mel_spectrogram(power=power, sample_rate=sample_rate)
        yield SpectrogramChunk(first_frame=first_frame, power=power, mel=mel, patches=mel_patches(log_mel(mel=mel)))


def iter_patch_chunks(
    samples: np.ndarray, *, chunk_patches: int = 64, sample_rate: int = SAMPLE_RATE
) -> Iterator[np.ndarray]:
    """Yield the patches of ``samples`` in chunks, computing the mel per chunk.

    Concatenated, the chunks equal ``mel_patches(log_mel(samples))``.
    samples: np.ndarray [shape=(n,)] at ``sample_rate``.
    Yields np.ndarray [shape=(k, 187, 96), dtype=float32], 1 <= k <= chunk_patches.
    """
    for chunk in iter_spectrogram_chunks(samples, chunk_patches=chunk_patches, sample_rate=sample_rate):
        if len(chunk.patches):
            yield chunk.patches
