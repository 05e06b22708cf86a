"""The musicnn log-mel front-end against the TensorFlow-pipeline references."""

from __future__ import annotations

import librosa
import numpy as np
import pytest

from analysis.audio.melspec import (
    MIN_PATCH_SAMPLES,
    PATCH_FRAMES,
    frame_count,
    iter_patch_chunks,
    iter_spectrogram_chunks,
    log_mel,
    mel_patches,
    mel_spectrogram,
    power_spectrogram,
)
from tests.shared_data import REFERENCE_DIR

CLIPS = ["sweep_clicks", "pink_noise", "minuet"]
# README tolerances for the log-mel: float16 rounding of the mel may flip a
# few cells by one float16 step (observed: 1 cell of the minuet, 2.3e-4).
LOG_MEL_ATOL = 5e-4
MAX_FLIPPED_FRACTION = 1e-3


@pytest.fixture(scope="module")
def melspec_references() -> dict[str, dict[str, np.ndarray]]:
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"musicnn reference files not found at {REFERENCE_DIR}")
    references = {}
    for clip in CLIPS:
        with np.load(REFERENCE_DIR / "musicnn" / f"{clip}.npz") as npz:
            references[clip] = {key: npz[key] for key in ("audio_16k", "logmel", "mel_patches")}
    return references


def _assert_close_to_reference(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.shape == expected.shape
    difference = np.abs(actual.astype(np.float64) - expected)
    assert difference.max() <= LOG_MEL_ATOL
    assert np.mean(difference > 1e-6) < MAX_FLIPPED_FRACTION


@pytest.mark.parametrize("clip", CLIPS)
def test_log_mel_matches_reference(melspec_references, clip):
    reference = melspec_references[clip]

    result = log_mel(reference["audio_16k"])

    assert result.dtype == np.float32
    _assert_close_to_reference(result, reference["logmel"])


@pytest.mark.parametrize("clip", CLIPS)
def test_mel_patches_match_reference(melspec_references, clip):
    reference = melspec_references[clip]

    patches = mel_patches(log_mel(reference["audio_16k"]))

    _assert_close_to_reference(patches, reference["mel_patches"])


@pytest.mark.parametrize(("n_fft", "hop_length"), [(512, 256), (4096, 2048)])
def test_power_spectrogram_equals_centred_librosa_stft(melspec_references, n_fft, hop_length):
    samples = melspec_references["sweep_clicks"]["audio_16k"]

    power = power_spectrogram(samples, n_fft=n_fft, hop_length=hop_length)

    centred = librosa.stft(samples, n_fft=n_fft, hop_length=hop_length, center=True, pad_mode="constant")
    np.testing.assert_array_equal(power, np.abs(centred) ** 2)


def test_mel_spectrogram_equals_librosa_melspectrogram(melspec_references):
    samples = melspec_references["pink_noise"]["audio_16k"]

    mel = mel_spectrogram(samples)

    expected = librosa.feature.melspectrogram(y=samples, sr=16000, hop_length=256, n_fft=512, n_mels=96)
    np.testing.assert_array_equal(mel, expected)


def test_precomputed_power_and_mel_give_the_same_log_mel(melspec_references):
    samples = melspec_references["pink_noise"]["audio_16k"]
    power = power_spectrogram(samples)

    from_power = log_mel(mel=mel_spectrogram(power=power))

    np.testing.assert_array_equal(from_power, log_mel(samples))


@pytest.mark.parametrize("chunk_patches", [1, 2, 3, 5, 64])
def test_patch_chunks_equal_one_shot_patches(melspec_references, chunk_patches):
    samples = melspec_references["minuet"]["audio_16k"]
    one_shot = mel_patches(log_mel(samples))

    chunks = list(iter_patch_chunks(samples, chunk_patches=chunk_patches))

    assert all(chunk.shape[0] <= chunk_patches for chunk in chunks)
    np.testing.assert_array_equal(np.concatenate(chunks), one_shot)


def test_spectrogram_chunks_cover_every_frame_once(melspec_references):
    samples = melspec_references["minuet"]["audio_16k"]

    chunks = list(iter_spectrogram_chunks(samples, chunk_patches=3))

    assert [chunk.first_frame for chunk in chunks] == list(range(0, frame_count(samples.size), 3 * PATCH_FRAMES))
    np.testing.assert_array_equal(np.concatenate([chunk.power for chunk in chunks], axis=1), power_spectrogram(samples))
    np.testing.assert_array_equal(np.concatenate([chunk.mel for chunk in chunks], axis=1), mel_spectrogram(samples))


@pytest.mark.parametrize("n_samples", [PATCH_FRAMES * 256 * 3 - 1, PATCH_FRAMES * 256 * 3 + 255, 123_457])
def test_patch_chunks_equal_one_shot_at_any_length(n_samples):
    # Loud noise with a DC step: any frame misalignment at a chunk edge shows.
    rng = np.random.default_rng(n_samples)
    samples = (0.5 * rng.standard_normal(n_samples)).astype(np.float32)
    samples[n_samples // 3 :] += 0.25

    chunks = list(iter_patch_chunks(samples, chunk_patches=2))

    np.testing.assert_array_equal(np.concatenate(chunks), mel_patches(log_mel(samples)))


def test_audio_shorter_than_a_patch_gives_no_patches():
    samples = np.ones(MIN_PATCH_SAMPLES - 1, dtype=np.float32)

    assert frame_count(samples.size) == PATCH_FRAMES - 1
    assert mel_patches(log_mel(samples)).shape == (0, PATCH_FRAMES, 96)
    assert list(iter_patch_chunks(samples)) == []


def test_one_patch_needs_exactly_min_patch_samples():
    samples = np.ones(MIN_PATCH_SAMPLES, dtype=np.float32)

    assert mel_patches(log_mel(samples)).shape == (1, PATCH_FRAMES, 96)


def test_log_mel_saturates_instead_of_overflowing():
    # numpy >= 2 evaluates the package's float16 expression in float16, which
    # overflows to inf above a mel power of ~6.55; a loud sine triggers it.
    t = np.arange(16000 * 3) / 16000
    loud_sine = (0.99 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    huge_mel = np.full((96, 4), 1e9, dtype=np.float32)

    assert np.isfinite(log_mel(loud_sine)).all()
    saturated = log_mel(mel=huge_mel)
    np.testing.assert_allclose(saturated, np.log10(np.float32(10000) * np.float32(65504) + 1))


def test_log_mel_rounds_the_mel_through_float16():
    # 1.0001 is not a float16 value: it rounds to 1.0 before the log.
    mel = np.full((96, 1), 1.0001, dtype=np.float32)

    result = log_mel(mel=mel)

    # 1e-6 is two float32 steps at 4.0; the unrounded mel would give 4.3e-5 more.
    np.testing.assert_allclose(result, np.log10(10001.0), rtol=0, atol=1e-6)
