"""Signal features on synthetic audio whose answer is known."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analysis.audio.features import (
    KEY_NAMES,
    SignalFeatureAccumulator,
    SignalFeatures,
    chroma_features,
    energy_estimate,
    fold_tempo,
    key_estimate,
    signal_features,
    spectral_centroid,
    spectral_flatness,
)
from analysis.audio.melspec import iter_spectrogram_chunks, mel_spectrogram, power_spectrogram

from . import synthetic
from .synthetic import SAMPLE_RATE

# -- tempo ---------------------------------------------------------------------


@pytest.mark.parametrize("bpm", [120.0, 90.0])
def test_click_track_tempo(bpm):
    features = signal_features(synthetic.click_track(bpm=bpm))

    assert features.tempo_bpm == pytest.approx(bpm, abs=2.0)


def test_click_track_has_a_clearer_pulse_than_noise_or_a_steady_chord():
    clicks = signal_features(synthetic.click_track(bpm=120.0)).pulse_clarity
    noise = signal_features(synthetic.noise(amplitude=0.1)).pulse_clarity
    chord = signal_features(synthetic.chord(midi_notes=[57, 61, 64])).pulse_clarity

    assert clicks > 0.8
    assert noise < 0.1
    assert chord < 0.1


@pytest.mark.parametrize(
    ("bpm", "folded"),
    [(120.0, 120.0), (30.0, 60.0), (45.0, 90.0), (250.0, 125.0), (400.0, 200.0), (59.0, 118.0)],
)
def test_fold_tempo_doubles_or_halves_into_range(bpm, folded):
    assert fold_tempo(bpm, tempo_min_bpm=60.0, tempo_max_bpm=200.0) == pytest.approx(folded)


def test_fold_tempo_rejects_a_range_narrower_than_an_octave():
    # [100, 150] holds no octave-equivalent of 90 BPM (90 -> 180 -> 90 ...).
    with pytest.raises(ValueError, match="octave"):
        fold_tempo(90.0, tempo_min_bpm=100.0, tempo_max_bpm=150.0)


@pytest.mark.parametrize("bpm", [0.0, -10.0, float("nan"), float("inf")])
def test_fold_tempo_rejects_non_positive_tempi(bpm):
    with pytest.raises(ValueError):
        fold_tempo(bpm)


def test_signal_features_honours_the_tempo_range():
    # The 120-BPM clicks folded into [40, 80] come out at 60.
    features = signal_features(synthetic.click_track(bpm=120.0), tempo_min_bpm=40.0, tempo_max_bpm=80.0)

    assert features.tempo_bpm == pytest.approx(60.0, abs=1.0)


# -- energy --------------------------------------------------------------------


def test_loud_noise_has_more_energy_than_quiet_noise():
    loud = energy_estimate(synthetic.noise(amplitude=0.3))
    quiet = energy_estimate(synthetic.noise(amplitude=0.01))

    assert loud.dbfs > quiet.dbfs
    assert loud.normalised > quiet.normalised
    assert 0.0 <= quiet.normalised <= loud.normalised <= 1.0


def test_energy_dbfs_of_a_full_scale_sine_is_minus_3_db():
    t = np.arange(SAMPLE_RATE * 3) / SAMPLE_RATE
    sine = np.sin(2 * np.pi * 1000 * t).astype(np.float32)

    energy = energy_estimate(sine, energy_min_dbfs=-40.0, energy_max_dbfs=-6.0)

    assert energy.dbfs == pytest.approx(-3.01, abs=0.01)
    assert energy.normalised == 1.0


def test_energy_maps_dbfs_linearly_between_the_bounds():
    # Unit-variance noise scaled to -23 dBFS sits halfway in [-40, -6].
    noise = synthetic.noise(amplitude=10 ** (-23 / 20))

    energy = energy_estimate(noise, energy_min_dbfs=-40.0, energy_max_dbfs=-6.0)

    assert energy.normalised == pytest.approx(0.5, abs=0.01)


def test_energy_rejects_an_empty_range():
    with pytest.raises(ValueError):
        energy_estimate(synthetic.noise(amplitude=0.1), energy_min_dbfs=-6.0, energy_max_dbfs=-6.0)


# -- key -----------------------------------------------------------------------


def test_a_major_chord_is_in_a_major():
    # A3, C#4, E4. Krumhansl-Kessler also rates C# minor highly for this triad
    # (measured r = 0.782 against 0.802 for A major).
    features = signal_features(synthetic.chord(midi_notes=[57, 61, 64]))

    assert (features.key, features.scale) == ("A", "major")
    assert features.key_confidence > 0.7


def test_c_minor_chord_is_in_c_minor():
    # C4, Eb4, G4
    features = signal_features(synthetic.chord(midi_notes=[60, 63, 67]))

    assert (features.key, features.scale) == ("C", "minor")
    assert features.key_confidence > 0.7


def test_chroma_peaks_at_a_for_a_440_hz_sine():
    t = np.arange(SAMPLE_RATE * 3) / SAMPLE_RATE
    sine = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)

    chroma = chroma_features(sine)

    assert KEY_NAMES[int(np.argmax(chroma.sum(axis=1)))] == "A"


def test_flat_chroma_has_no_key_confidence():
    key = key_estimate(chroma=np.ones((12, 10)))

    assert key.confidence == 0.0


# -- descriptors ---------------------------------------------------------------


def test_noise_is_flatter_than_a_chord():
    noise_power = power_spectrogram(synthetic.noise(amplitude=0.1))
    chord_power = power_spectrogram(synthetic.chord(midi_notes=[60, 64, 67]))

    # A white-noise periodogram is exponentially distributed: flatness exp(-0.5772) = 0.56.
    assert spectral_flatness(power=noise_power) == pytest.approx(0.56, abs=0.03)
    assert spectral_flatness(power=chord_power) < 0.01


def test_high_tone_is_brighter_than_low_tone():
    t = np.arange(SAMPLE_RATE * 3) / SAMPLE_RATE
    low = power_spectrogram((0.5 * np.sin(2 * np.pi * 300 * t)).astype(np.float32))
    high = power_spectrogram((0.5 * np.sin(2 * np.pi * 3000 * t)).astype(np.float32))

    assert spectral_centroid(power=low) == pytest.approx(300, abs=60)
    assert spectral_centroid(power=high) == pytest.approx(3000, abs=60)


def test_silence_has_zero_flatness_and_centroid():
    power = power_spectrogram(np.zeros(SAMPLE_RATE * 3, dtype=np.float32))

    assert spectral_flatness(power=power) == 0.0
    assert spectral_centroid(power=power) == 0.0


def test_steady_pulse_has_lower_dfa_exponent_than_noise():
    pulse = signal_features(synthetic.click_track(bpm=140.0, seconds=10.0)).dfa_exponent
    noise = signal_features(synthetic.noise(amplitude=0.1, seconds=10.0)).dfa_exponent

    assert 0.0 < pulse < noise


# -- the whole set ---------------------------------------------------------------


def test_precomputed_intermediates_give_the_same_features():
    samples = synthetic.click_track(bpm=120.0)
    power = power_spectrogram(samples)

    reused = signal_features(
        samples,
        power=power,
        mel=mel_spectrogram(power=power),
        chroma=chroma_features(samples),
    )

    assert reused == signal_features(samples)


def test_signal_features_is_a_frozen_dataclass_of_plain_values():
    features = signal_features(synthetic.chord(midi_notes=[57, 61, 64]))

    assert isinstance(features, SignalFeatures)
    with pytest.raises(dataclasses.FrozenInstanceError):
        features.tempo_bpm = 100.0
    for value in dataclasses.asdict(features).values():
        assert isinstance(value, (float, str))


@pytest.mark.parametrize("chunk_patches", [1, 3])
def test_accumulated_chunks_give_the_one_shot_features(chunk_patches):
    # A chord under clicks: tempo, key and every spectral descriptor are non-trivial.
    samples = synthetic.click_track(bpm=100.0, seconds=20.0) + synthetic.chord(midi_notes=[57, 61, 64], seconds=20.0)
    accumulator = SignalFeatureAccumulator()

    for chunk in iter_spectrogram_chunks(samples, chunk_patches=chunk_patches):
        accumulator.add(samples=samples, first_frame=chunk.first_frame, power=chunk.power, mel=chunk.mel)
    chunked = dataclasses.asdict(accumulator.result(samples=samples))

    one_shot = dataclasses.asdict(signal_features(samples))
    for name in ("key", "scale"):
        assert chunked.pop(name) == one_shot.pop(name)
    # Float32 chroma sums in another order move the key confidence by ~1e-8.
    assert chunked == pytest.approx(one_shot, rel=1e-6)


def test_accumulator_rejects_chunks_out_of_order():
    samples = synthetic.noise(amplitude=0.1)
    chunks = list(iter_spectrogram_chunks(samples, chunk_patches=1))
    accumulator = SignalFeatureAccumulator()

    with pytest.raises(ValueError, match="consecutive"):
        accumulator.add(samples=samples, first_frame=chunks[1].first_frame, power=chunks[1].power, mel=chunks[1].mel)
