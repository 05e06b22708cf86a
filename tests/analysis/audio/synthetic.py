"""Synthetic signals whose tempo, key or loudness is known, shared by the audio tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

SAMPLE_RATE = 16000


def click_track(*, bpm: float, seconds: float = 8.0) -> np.ndarray:
    """10-ms decaying 1 kHz bursts on every beat; float32 [shape=(seconds * 16000,)]."""
    samples = np.zeros(int(SAMPLE_RATE * seconds), dtype=np.float32)
    t = np.arange(160) / SAMPLE_RATE
    burst = 0.8 * np.sin(2 * np.pi * 1000 * t) * np.exp(-t / 0.002)
    for beat in np.arange(0.0, seconds - 0.01, 60.0 / bpm):
        start = round(beat * SAMPLE_RATE)
        samples[start : start + burst.size] += burst[: samples.size - start]
    return samples


def chord(*, midi_notes: list[int], seconds: float = 4.0, harmonics: int = 3) -> np.ndarray:
    """Sustained notes, each with `harmonics` partials at amplitude 1/k, peak 0.2."""
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    samples = np.zeros_like(t)
    for note in midi_notes:
        fundamental = 440.0 * 2 ** ((note - 69) / 12)
        for k in range(1, harmonics + 1):
            samples += np.sin(2 * np.pi * k * fundamental * t) / k
    return (0.2 * samples / np.max(np.abs(samples))).astype(np.float32)


def noise(*, amplitude: float, seconds: float = 4.0, seed: int = 5) -> np.ndarray:
    """Gaussian white noise with standard deviation `amplitude`."""
    return (amplitude * np.random.default_rng(seed).standard_normal(int(SAMPLE_RATE * seconds))).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, *, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write 16-bit PCM, as most real files are."""
    soundfile.write(path, samples, sample_rate, subtype="PCM_16")
    return path
