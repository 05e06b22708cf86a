"""Signal features of a decoded track: tempo, energy, key, rhythm and timbre descriptors.

All functions take mono float32 audio (or intermediates computed from it by
``analysis.audio.melspec``) and keyword arguments. The 512-point power STFT
and the mel spectrogram of the musicnn front-end are reused here, so callers
that already have them pass them in and nothing is computed twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import librosa
import numpy as np

from analysis.audio.melspec import HOP_LENGTH, N_FFT, SAMPLE_RATE, mel_spectrogram, power_spectrogram

KEY_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")

# Krumhansl & Kessler (1982) probe-tone ratings, tonic first.
_MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

# Tempo is searched over a wide range and only then folded into the caller's
# range, so the metrical level is chosen by the music, not by the range. The
# log-normal prior (centre 120 BPM, one octave standard deviation, as in
# librosa.feature.tempo) settles octave ambiguities.
_TEMPO_SEARCH_MIN_BPM = 30.0
_TEMPO_SEARCH_MAX_BPM = 300.0
_TEMPO_PRIOR_BPM = 120.0
_TEMPO_PRIOR_OCTAVES = 1.0
# The onset envelope is smoothed over 80 ms (5 frames) before the
# autocorrelation: beats are not placed more finely than that, and a smooth
# peak makes the parabolic refinement of the period accurate.
_ONSET_SMOOTHING = np.hanning(7)[1:-1] / np.hanning(7)[1:-1].sum()
# Onset-strength fluctuations well below 1 dB per frame are the ripple of a
# steady tone's STFT, not onsets (a struck note adds several dB); the pulse
# clarity discounts envelopes whose spread is near this floor.
_ONSET_FLOOR_DB = 1.0

# 256 ms at 16 kHz: bins 3.9 Hz apart, a semitone at 65 Hz (C2); lower notes
# blur into their neighbours.
_CHROMA_WINDOW_SECONDS = 0.256

# Detrended fluctuation analysis over 0.3-8 s, roughly the beat-to-phrase
# time scales Streich & Herrera (2005) relate to danceability.
_DFA_MIN_SECONDS = 0.3
_DFA_MAX_SECONDS = 8.0
_DFA_N_SCALES = 12

# Frames more than 60 dB below the loudest frame are ignored by the spectral
# flatness: digital silence is perfectly "flat" and would dominate the mean.
_ACTIVE_FRAME_DB = 60.0
_POWER_FLOOR = 1e-10


@dataclass(frozen=True)
class TempoEstimate:
    """bpm: folded tempo in beats per minute (0.0 when no pulse is found).
    raw_bpm: the tempo before folding.
    pulse_clarity: 0..1, the onset-strength autocorrelation at the beat period
    relative to lag 0: ~1 for a metronome, ~0 for noise.
    """

    bpm: float
    raw_bpm: float
    pulse_clarity: float


@dataclass(frozen=True)
class EnergyEstimate:
    """dbfs: RMS level 10*log10(mean(x**2)) in dB relative to a full-scale square
    wave (a full-scale sine is -3.01 dBFS). normalised: 0..1, dbfs mapped
    linearly from [energy_min_dbfs, energy_max_dbfs] and clipped.
    """

    dbfs: float
    normalised: float


@dataclass(frozen=True)
class KeyEstimate:
    """key: tonic name in KEY_NAMES; scale: "major" or "minor"; confidence: 0..1,
    the Pearson correlation of the chroma with the winning key profile (clipped at 0).
    """

    key: str
    scale: str
    confidence: float


@dataclass(frozen=True)
class SignalFeatures:
    """Everything signal_features measures; units as in the estimate classes.

    dfa_exponent: DFA scaling exponent of the loudness envelope over 0.3-8 s;
        ~0.5 for noise-like loudness, lower for a steady, repetitive pulse.
    spectral_flatness: 0..1, geometric over arithmetic mean of the power
        spectrum, averaged over non-silent frames: ~0 for tones, ~0.56 for white
        noise (its periodogram is exponentially distributed), 1 only for a flat spectrum.
    spectral_centroid_hz: magnitude-weighted mean frequency (brightness), Hz.
    """

    tempo_bpm: float
    pulse_clarity: float
    energy_dbfs: float
    energy: float
    key: str
    scale: str
    key_confidence: float
    dfa_exponent: float
    spectral_flatness: float
    spectral_centroid_hz: float


def signal_features(
    samples: np.ndarray,
    *,
    sample_rate: int = SAMPLE_RATE,
    power: np.ndarray | None = None,
    mel: np.ndarray | None = None,
    chroma: np.ndarray | None = None,
    tempo_min_bpm: float = 60.0,
    tempo_max_bpm: float = 200.0,
    energy_min_dbfs: float = -40.0,
    energy_max_dbfs: float = -6.0,
) -> SignalFeatures:
    """Measure tempo, energy, key and rhythm/timbre descriptors of one track.

    samples: np.ndarray [shape=(n,)], mono, at sample_rate Hz.
    power: optional np.ndarray [shape=(257, n_frames)], melspec.power_spectrogram(samples).
    mel: optional np.ndarray [shape=(96, n_frames)], melspec.mel_spectrogram(power=power).
    chroma: optional np.ndarray [shape=(12, n_chroma_frames)], chroma_features(samples).
    """
    _check_tempo_range(tempo_min_bpm=tempo_min_bpm, tempo_max_bpm=tempo_max_bpm)
    _check_energy_range(energy_min_dbfs=energy_min_dbfs, energy_max_dbfs=energy_max_dbfs)
    if power is None:
        power = power_spectrogram(samples)
    if mel is None:
        mel = mel_spectrogram(power=power, sample_rate=sample_rate)
    if chroma is None:
        chroma = chroma_features(samples, sample_rate=sample_rate)
    tempo = tempo_estimate(
        onset_envelope=onset_envelope(mel=mel, sample_rate=sample_rate),
        sample_rate=sample_rate,
        tempo_min_bpm=tempo_min_bpm,
        tempo_max_bpm=tempo_max_bpm,
    )
    energy = energy_estimate(samples, energy_min_dbfs=energy_min_dbfs, energy_max_dbfs=energy_max_dbfs)
    key = key_estimate(chroma=chroma)
    return SignalFeatures(
        tempo_bpm=tempo.bpm,
        pulse_clarity=tempo.pulse_clarity,
        energy_dbfs=energy.dbfs,
        energy=energy.normalised,
        key=key.key,
        scale=key.scale,
        key_confidence=key.confidence,
        dfa_exponent=dfa_exponent(power=power, sample_rate=sample_rate),
        spectral_flatness=spectral_flatness(power=power),
        spectral_centroid_hz=spectral_centroid(power=power, sample_rate=sample_rate),
    )


# -- tempo --------------------------------------------------------------------


def onset_envelope(*, mel: np.ndarray, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Spectral-flux onset strength of a mel power spectrogram.

    mel: np.ndarray [shape=(n_mels, n_frames)]. Returns np.ndarray [shape=(n_frames,)],
    one value per 256-sample hop: the mean over mel bands of the positive
    frame-to-frame increase in dB.
    """
    return librosa.onset.onset_strength(S=librosa.power_to_db(mel), sr=sample_rate, hop_length=HOP_LENGTH)


def tempo_estimate(
    *,
    onset_envelope: np.ndarray,
    sample_rate: int = SAMPLE_RATE,
    tempo_min_bpm: float = 60.0,
    tempo_max_bpm: float = 200.0,
) -> TempoEstimate:
    """Global tempo from the autocorrelation of the onset envelope.

    onset_envelope: np.ndarray [shape=(n_frames,)] at sample_rate / 256 frames per second.
    The envelope is smoothed over 80 ms; the beat period is the peak of its
    autocorrelation between 30 and 300 BPM that scores highest once weighted by
    the 120-BPM log-normal prior, refined to a fraction of a frame by parabolic
    interpolation; the tempo is then folded into [tempo_min_bpm, tempo_max_bpm]
    by octaves. pulse_clarity = peak height * var / (var + (1 dB)**2), var being
    the smoothed envelope's variance, so a steady tone's sub-dB ripple is no pulse.
    """
    _check_tempo_range(tempo_min_bpm=tempo_min_bpm, tempo_max_bpm=tempo_max_bpm)
    frame_rate = sample_rate / HOP_LENGTH
    smoothed = np.convolve(onset_envelope, _ONSET_SMOOTHING, mode="same")
    max_lag = math.ceil(60.0 * frame_rate / _TEMPO_SEARCH_MIN_BPM)
    autocorrelation = _normalised_autocorrelation(smoothed, max_lag=max_lag + 1)
    period = _beat_period(autocorrelation, frame_rate=frame_rate)
    if period is None:
        return TempoEstimate(bpm=0.0, raw_bpm=0.0, pulse_clarity=0.0)
    lag, height = period
    variance = float(np.var(smoothed))
    raw_bpm = 60.0 * frame_rate / lag
    return TempoEstimate(
        bpm=fold_tempo(raw_bpm, tempo_min_bpm=tempo_min_bpm, tempo_max_bpm=tempo_max_bpm),
        raw_bpm=raw_bpm,
        pulse_clarity=float(np.clip(height, 0.0, 1.0) * variance / (variance + _ONSET_FLOOR_DB**2)),
    )


def _beat_period(autocorrelation: np.ndarray, *, frame_rate: float) -> tuple[float, float] | None:
    """(fractional lag in frames, autocorrelation height) of the prior-weighted best peak."""
    min_lag = max(1, math.floor(60.0 * frame_rate / _TEMPO_SEARCH_MAX_BPM))
    peaks = _local_maxima(autocorrelation, first=min_lag, stop=autocorrelation.size)
    if not peaks.size:
        return None
    peak_bpm = 60.0 * frame_rate / peaks
    prior = np.exp(-0.5 * (np.log2(peak_bpm / _TEMPO_PRIOR_BPM) / _TEMPO_PRIOR_OCTAVES) ** 2)
    best = int(peaks[np.argmax(autocorrelation[peaks] * prior)])
    offset, height = _parabolic_peak(autocorrelation[best - 1 : best + 2])
    return best + offset, height


def fold_tempo(bpm: float, *, tempo_min_bpm: float = 60.0, tempo_max_bpm: float = 200.0) -> float:
    """Double or halve ``bpm`` until it lies in [tempo_min_bpm, tempo_max_bpm].

    The range must span at least an octave (max >= 2 * min), so that every
    tempo has exactly one octave-equivalent inside it.
    """
    _check_tempo_range(tempo_min_bpm=tempo_min_bpm, tempo_max_bpm=tempo_max_bpm)
    if not (bpm > 0 and math.isfinite(bpm)):
        raise ValueError(f"bpm must be a positive number, got {bpm}")
    while bpm < tempo_min_bpm:
        bpm *= 2.0
    while bpm > tempo_max_bpm:
        bpm /= 2.0
    return float(bpm)


def _check_tempo_range(*, tempo_min_bpm: float, tempo_max_bpm: float) -> None:
    if not (tempo_min_bpm > 0 and tempo_max_bpm >= 2 * tempo_min_bpm):
        raise ValueError(
            "the tempo range must be positive and span at least one octave "
            f"(max >= 2 * min), got [{tempo_min_bpm}, {tempo_max_bpm}]"
        )


def _normalised_autocorrelation(values: np.ndarray, *, max_lag: int) -> np.ndarray:
    """Unbiased autocorrelation of the mean-removed values, 1.0 at lag 0.

    values: np.ndarray [shape=(n,)]. Returns np.ndarray [shape=(min(max_lag, n),)];
    lag L is scaled by n / (n - L) so short clips do not favour short lags.
    All zeros when the values are constant.
    """
    centred = np.asarray(values, dtype=np.float64) - np.mean(values)
    n_lags = min(max_lag, centred.size)
    autocorrelation = librosa.autocorrelate(centred, max_size=n_lags)
    if autocorrelation[0] <= 0:
        return np.zeros(n_lags)
    unbiased = autocorrelation * centred.size / (centred.size - np.arange(n_lags))
    return unbiased / unbiased[0]


def _local_maxima(values: np.ndarray, *, first: int, stop: int) -> np.ndarray:
    """Indices i in [first, stop) with positive values[i] >= both neighbours."""
    index = np.arange(max(first, 1), min(stop, values.size - 1))
    is_peak = (values[index] > 0) & (values[index] >= values[index - 1]) & (values[index] >= values[index + 1])
    return index[is_peak]


def _parabolic_peak(triple: np.ndarray) -> tuple[float, float]:
    """Offset (-0.5..0.5) and height of the parabola's vertex through three samples."""
    left, centre, right = (float(v) for v in triple)
    curvature = left - 2.0 * centre + right
    if curvature >= 0:
        return 0.0, centre
    offset = 0.5 * (left - right) / curvature
    return offset, centre - 0.25 * (left - right) * offset


# -- energy -------------------------------------------------------------------


def energy_estimate(
    samples: np.ndarray, *, energy_min_dbfs: float = -40.0, energy_max_dbfs: float = -6.0
) -> EnergyEstimate:
    """RMS level of the whole signal in dBFS, and mapped to 0..1.

    samples: np.ndarray [shape=(n,)] in [-1, 1]. With the defaults, -35 dBFS
    (quiet ambient) maps to 0.15, -25 dBFS (typical classical) to 0.44 and
    -9 dBFS (a loud modern pop master) to 0.91.
    """
    _check_energy_range(energy_min_dbfs=energy_min_dbfs, energy_max_dbfs=energy_max_dbfs)
    dbfs = rms_dbfs(samples)
    position = (dbfs - energy_min_dbfs) / (energy_max_dbfs - energy_min_dbfs)
    return EnergyEstimate(dbfs=dbfs, normalised=float(np.clip(position, 0.0, 1.0)))


def rms_dbfs(samples: np.ndarray) -> float:
    """10*log10(mean(x**2)) of samples [shape=(n,)], accumulated in float64; -200 for digital zero."""
    samples = np.asarray(samples)
    mean_square = np.einsum("i,i->", samples, samples, dtype=np.float64) / max(samples.size, 1)
    return 10.0 * math.log10(max(float(mean_square), 1e-20))


def _check_energy_range(*, energy_min_dbfs: float, energy_max_dbfs: float) -> None:
    if not energy_max_dbfs > energy_min_dbfs:
        raise ValueError(f"energy_max_dbfs must exceed energy_min_dbfs, got [{energy_min_dbfs}, {energy_max_dbfs}]")


# -- key ----------------------------------------------------------------------


def chroma_features(samples: np.ndarray, *, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Energy chroma from a 256-ms STFT, not normalised per frame.

    samples: np.ndarray [shape=(n,)]. Returns np.ndarray [shape=(12, n_frames)],
    row 0 = C. Loud passages weigh more than quiet ones in key_estimate; the
    tuning offset is estimated from the signal. Every octave weighs the same:
    librosa's default Gaussian octave weighting (centred on A5) favours the
    overtones over the fundamentals of chords in the bass and middle register,
    and turns root-position major triads into their relative-mediant minor
    (A major -> C# minor) under the Krumhansl-Kessler profiles.
    """
    n_fft = 2 ** round(math.log2(_CHROMA_WINDOW_SECONDS * sample_rate))
    return librosa.feature.chroma_stft(
        y=np.asarray(samples, dtype=np.float32),
        sr=sample_rate,
        n_fft=n_fft,
        hop_length=n_fft // 2,
        norm=None,
        octwidth=None,
    )


def key_estimate(*, chroma: np.ndarray) -> KeyEstimate:
    """Krumhansl-Schmuckler key finding: correlate the summed chroma with all 24 key profiles.

    chroma: np.ndarray [shape=(12, n_frames)], row 0 = C. A flat chroma (no
    pitch content) gives C major with confidence 0.
    """
    pitch_classes = _standardise(np.sum(chroma, axis=1, dtype=np.float64))
    if pitch_classes is None:
        return KeyEstimate(key=KEY_NAMES[0], scale="major", confidence=0.0)
    correlations = _KEY_TEMPLATES @ pitch_classes / 12.0
    best = int(np.argmax(correlations))
    scale, tonic = divmod(best, 12)
    return KeyEstimate(
        key=KEY_NAMES[tonic],
        scale=("major", "minor")[scale],
        confidence=float(max(correlations[best], 0.0)),
    )


def _standardise(values: np.ndarray) -> np.ndarray | None:
    spread = np.std(values)
    if not spread > 0:
        return None
    return (values - np.mean(values)) / spread


# [shape=(24, 12)]: standardised major profiles for tonics C..B, then the minor ones.
_KEY_TEMPLATES = np.array(
    [_standardise(np.roll(profile, tonic)) for profile in (_MAJOR_PROFILE, _MINOR_PROFILE) for tonic in range(12)]
)


# -- rhythm and timbre descriptors ---------------------------------------------


def dfa_exponent(*, power: np.ndarray, sample_rate: int = SAMPLE_RATE) -> float:
    """Detrended fluctuation analysis exponent of the loudness envelope.

    power: np.ndarray [shape=(257, n_frames)]. The envelope is the frame RMS
    (sqrt of the frame's summed power); its mean-removed running sum is cut
    into boxes of 0.3-8 s (12 log-spaced sizes, at least 4 boxes each), a line
    is fitted per box, and the exponent is the slope of log(RMS residual) over
    log(box size). NaN when the audio is too short for two box sizes.
    """
    envelope = np.sqrt(np.sum(power, axis=0, dtype=np.float64))
    profile = np.cumsum(envelope - np.mean(envelope))
    frame_rate = sample_rate / HOP_LENGTH
    sizes = np.geomspace(_DFA_MIN_SECONDS * frame_rate, _DFA_MAX_SECONDS * frame_rate, _DFA_N_SCALES)
    sizes = np.unique(np.round(sizes).astype(int))
    sizes = sizes[sizes <= profile.size // 4]
    if sizes.size < 2:
        return float("nan")
    fluctuations = [_detrended_fluctuation(profile, box_size=size) for size in sizes]
    slope, _ = np.polyfit(np.log(sizes), np.log(np.maximum(fluctuations, 1e-12)), 1)
    return float(slope)


def _detrended_fluctuation(profile: np.ndarray, *, box_size: int) -> float:
    """RMS of the profile around a least-squares line fitted in each box."""
    n_boxes = profile.size // box_size
    boxes = profile[: n_boxes * box_size].reshape(n_boxes, box_size)
    position = np.arange(box_size) - (box_size - 1) / 2.0
    slopes = boxes @ position / (position @ position)
    residuals = boxes - boxes.mean(axis=1, keepdims=True) - np.outer(slopes, position)
    return float(np.sqrt(np.mean(residuals**2)))


def spectral_flatness(*, power: np.ndarray) -> float:
    """Mean over non-silent frames of geometric mean / arithmetic mean of the power spectrum.

    power: np.ndarray [shape=(257, n_frames)]. 0..1; 0.0 if every frame is silent.
    """
    frame_power = np.sum(power, axis=0)
    if not frame_power.size or not np.max(frame_power) > 0:
        return 0.0
    active = frame_power >= np.max(frame_power) * 10.0 ** (-_ACTIVE_FRAME_DB / 10.0)
    floored = np.maximum(power[:, active], _POWER_FLOOR).astype(np.float64)
    per_frame = np.exp(np.mean(np.log(floored), axis=0)) / np.mean(floored, axis=0)
    return float(np.mean(per_frame))


def spectral_centroid(*, power: np.ndarray, sample_rate: int = SAMPLE_RATE) -> float:
    """Magnitude-weighted mean frequency over all frames, in Hz (0.0 for silence).

    power: np.ndarray [shape=(257, n_frames)].
    """
    magnitude_per_bin = np.sum(np.sqrt(power), axis=1, dtype=np.float64)
    total = float(np.sum(magnitude_per_bin))
    if not total > 0:
        return 0.0
    frequencies = librosa.fft_frequencies(sr=sample_rate, n_fft=N_FFT)
    return float(frequencies @ magnitude_per_bin / total)
