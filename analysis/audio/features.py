"""Signal features of a decoded track: tempo, energy, key, rhythm and timbre descriptors.

All functions take mono float32 audio (or intermediates computed from it by
``analysis.audio.melspec``) and keyword arguments. The 512-point power STFT
and the mel spectrogram of the musicnn front-end are reused here, so callers
that already have them pass them in and nothing is computed twice;
SignalFeatureAccumulator takes them chunk by chunk, for long tracks.
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
# librosa's onset strength floors the dB mel 80 dB below the track's loudest
# cell, which is only known once the whole spectrogram exists. The floor here
# sits _ONSET_FLOOR_BELOW_RMS_DB under the track's RMS level instead (known from
# the samples before any STFT), so chunks give exactly the one-shot envelope.
# A signal's strongest mel band sits ~30 dB above its RMS dBFS (a full-scale
# sine, -3 dBFS, peaks at +27 dB), so this is ~80 dB below the loud bands:
# fades into 16-bit dither (~-85 dB for a -15 dBFS master) make no flux, and a
# quiet, sparse click track still rises well above its floor.
_ONSET_FLOOR_BELOW_RMS_DB = 50.0
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
    The whole track in one go; SignalFeatureAccumulator measures the same chunk by chunk.
    """
    accumulator = SignalFeatureAccumulator(
        sample_rate=sample_rate,
        tempo_min_bpm=tempo_min_bpm,
        tempo_max_bpm=tempo_max_bpm,
        energy_min_dbfs=energy_min_dbfs,
        energy_max_dbfs=energy_max_dbfs,
    )
    if power is None:
        power = power_spectrogram(samples)
    if mel is None:
        mel = mel_spectrogram(power=power, sample_rate=sample_rate)
    accumulator.add(samples=samples, first_frame=0, power=power, mel=mel, chroma=chroma)
    return accumulator.result(samples=samples)


class SignalFeatureAccumulator:
    """signal_features measured chunk by chunk, so no whole-track spectrogram is held.

    Feed consecutive chunks of the track's 512-point STFT frames
    (melspec.iter_spectrogram_chunks) with add(), then call result(). Only three
    numbers per frame are kept (onset strength, power, flatness: ~5 MB per hour
    of audio) and a 12-bin chroma sum. Every feature equals the one-shot value
    except that the chroma tuning is estimated on the first chunk only, which
    holds plenty of notes to measure a recording's tuning.
    """

    def __init__(
        self,
        *,
        sample_rate: int = SAMPLE_RATE,
        tempo_min_bpm: float = 60.0,
        tempo_max_bpm: float = 200.0,
        energy_min_dbfs: float = -40.0,
        energy_max_dbfs: float = -6.0,
    ) -> None:
        _check_tempo_range(tempo_min_bpm=tempo_min_bpm, tempo_max_bpm=tempo_max_bpm)
        _check_energy_range(energy_min_dbfs=energy_min_dbfs, energy_max_dbfs=energy_max_dbfs)
        self._sample_rate = sample_rate
        self._tempo_range = (tempo_min_bpm, tempo_max_bpm)
        self._energy_range = (energy_min_dbfs, energy_max_dbfs)
        self._onset: list[np.ndarray] = []
        self._frame_power: list[np.ndarray] = []
        self._frame_flatness: list[np.ndarray] = []
        self._magnitude_per_bin = np.zeros(N_FFT // 2 + 1)
        self._chroma_sum = np.zeros(12)
        self._chroma_tuning: float | None = None
        self._last_mel_frame: np.ndarray | None = None
        self._onset_floor_db: float | None = None
        self._next_frame = 0

    def add(
        self,
        *,
        samples: np.ndarray,
        first_frame: int,
        power: np.ndarray,
        mel: np.ndarray,
        chroma: np.ndarray | None = None,
    ) -> None:
        """Take STFT frames [first_frame, first_frame + k) of the whole track ``samples``.

        samples: np.ndarray [shape=(n,)], the whole track (the chroma reads its own window from it).
        power: np.ndarray [shape=(257, k)]; mel: np.ndarray [shape=(96, k)], of those frames.
        chroma: optional np.ndarray [shape=(12, m)], precomputed chroma of the whole
            track, passed with the one and only chunk.
        """
        if first_frame != self._next_frame:
            raise ValueError(f"chunks must be consecutive: expected frame {self._next_frame}, got {first_frame}")
        stop_frame = first_frame + power.shape[1]
        if self._onset_floor_db is None:
            self._onset_floor_db = onset_floor_db(samples)
        self._onset.append(onset_envelope(mel=mel, floor_db=self._onset_floor_db, previous_frame=self._last_mel_frame))
        self._last_mel_frame = mel[:, -1].copy() if mel.shape[1] else self._last_mel_frame
        self._frame_power.append(np.sum(power, axis=0, dtype=np.float64))
        self._frame_flatness.append(_frame_flatness(power))
        self._magnitude_per_bin += np.sum(np.sqrt(power), axis=1, dtype=np.float64)
        if chroma is None:
            chroma = self._chroma_of_frames(samples, first_frame=first_frame, stop_frame=stop_frame)
        self._chroma_sum += np.sum(chroma, axis=1, dtype=np.float64)
        self._next_frame = stop_frame

    def result(self, *, samples: np.ndarray) -> SignalFeatures:
        """The features of everything added; samples: np.ndarray [shape=(n,)], the whole track."""
        tempo = tempo_estimate(
            onset_envelope=np.concatenate(self._onset) if self._onset else np.zeros(0),
            sample_rate=self._sample_rate,
            tempo_min_bpm=self._tempo_range[0],
            tempo_max_bpm=self._tempo_range[1],
        )
        energy = energy_estimate(samples, energy_min_dbfs=self._energy_range[0], energy_max_dbfs=self._energy_range[1])
        key = key_estimate(chroma=self._chroma_sum[:, np.newaxis])
        frame_power = np.concatenate(self._frame_power) if self._frame_power else np.zeros(0)
        return SignalFeatures(
            tempo_bpm=tempo.bpm,
            pulse_clarity=tempo.pulse_clarity,
            energy_dbfs=energy.dbfs,
            energy=energy.normalised,
            key=key.key,
            scale=key.scale,
            key_confidence=key.confidence,
            dfa_exponent=_dfa_of_envelope(np.sqrt(frame_power), sample_rate=self._sample_rate),
            spectral_flatness=_mean_active_flatness(
                np.concatenate(self._frame_flatness) if self._frame_flatness else np.zeros(0), frame_power
            ),
            spectral_centroid_hz=_centroid_of_magnitudes(self._magnitude_per_bin, sample_rate=self._sample_rate),
        )

    def _chroma_of_frames(self, samples: np.ndarray, *, first_frame: int, stop_frame: int) -> np.ndarray:
        """Chroma of the 256-ms frames centred within STFT frames [first_frame, stop_frame)."""
        n_fft = _chroma_n_fft(self._sample_rate)
        frames_per_chroma_hop = (n_fft // 2) // HOP_LENGTH
        # Chroma frame j is centred on sample j * n_fft/2, i.e. on STFT frame j * frames_per_chroma_hop.
        power = power_spectrogram(
            samples,
            first_frame=-(-first_frame // frames_per_chroma_hop),
            stop_frame=-(-stop_frame // frames_per_chroma_hop),
            n_fft=n_fft,
            hop_length=n_fft // 2,
        )
        if self._chroma_tuning is None and power.shape[1]:
            self._chroma_tuning = float(librosa.estimate_tuning(S=power, sr=self._sample_rate, bins_per_octave=12))
        return _chroma_of_power(power, sample_rate=self._sample_rate, tuning=self._chroma_tuning or 0.0)


# -- tempo --------------------------------------------------------------------


def onset_envelope(*, mel: np.ndarray, floor_db: float, previous_frame: np.ndarray | None = None) -> np.ndarray:
    """Spectral-flux onset strength of a mel power spectrogram.

    mel: np.ndarray [shape=(n_mels, n_frames)]. floor_db: dB below which mel
    cells count as silence, onset_floor_db(samples) of the whole track.
    previous_frame: np.ndarray [shape=(n_mels,)], the mel frame just before
    ``mel`` when it is a chunk of a longer track (None at the start: the first
    value is then 0). Returns np.ndarray [shape=(n_frames,)], one value per
    256-sample hop: the mean over mel bands of the positive frame-to-frame
    increase in dB.
    """
    db = _floored_db(mel, floor_db=floor_db)
    previous = db[:, :1] if previous_frame is None else _floored_db(previous_frame[:, np.newaxis], floor_db=floor_db)
    rises = np.diff(db, axis=1, prepend=previous)
    return np.mean(np.maximum(rises, 0.0), axis=0)


def onset_floor_db(samples: np.ndarray) -> float:
    """The onset envelope's dB floor for a track: its RMS dBFS minus _ONSET_FLOOR_BELOW_RMS_DB."""
    return rms_dbfs(samples) - _ONSET_FLOOR_BELOW_RMS_DB


def _floored_db(mel: np.ndarray, *, floor_db: float) -> np.ndarray:
    return np.maximum(10.0 * np.log10(np.maximum(mel, 1e-10)), floor_db)


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
    n_fft = _chroma_n_fft(sample_rate)
    power = power_spectrogram(samples, n_fft=n_fft, hop_length=n_fft // 2)
    tuning = float(librosa.estimate_tuning(S=power, sr=sample_rate, bins_per_octave=12)) if power.size else 0.0
    return _chroma_of_power(power, sample_rate=sample_rate, tuning=tuning)


def _chroma_n_fft(sample_rate: int) -> int:
    return 2 ** round(math.log2(_CHROMA_WINDOW_SECONDS * sample_rate))


def _chroma_of_power(power: np.ndarray, *, sample_rate: int, tuning: float) -> np.ndarray:
    """power: np.ndarray [shape=(n_fft/2 + 1, n_frames)] -> chroma [shape=(12, n_frames)]."""
    return librosa.feature.chroma_stft(
        S=power,
        sr=sample_rate,
        n_fft=2 * (power.shape[0] - 1),
        tuning=tuning,
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
    return _dfa_of_envelope(envelope, sample_rate=sample_rate)


def _dfa_of_envelope(envelope: np.ndarray, *, sample_rate: int) -> float:
    """dfa_exponent of a frame-RMS envelope [shape=(n_frames,)] at sample_rate / 256 frames per second."""
    profile = np.cumsum(envelope - np.mean(envelope)) if envelope.size else envelope
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
    return _mean_active_flatness(_frame_flatness(power), np.sum(power, axis=0, dtype=np.float64))


def _frame_flatness(power: np.ndarray) -> np.ndarray:
    """power [shape=(257, n_frames)] -> flatness of each frame [shape=(n_frames,)]."""
    floored = np.maximum(power, _POWER_FLOOR).astype(np.float64)
    return np.exp(np.mean(np.log(floored), axis=0)) / np.mean(floored, axis=0)


def _mean_active_flatness(frame_flatness: np.ndarray, frame_power: np.ndarray) -> float:
    """Mean flatness of the frames within _ACTIVE_FRAME_DB of the loudest; both [shape=(n_frames,)]."""
    if not frame_power.size or not np.max(frame_power) > 0:
        return 0.0
    active = frame_power >= np.max(frame_power) * 10.0 ** (-_ACTIVE_FRAME_DB / 10.0)
    return float(np.mean(frame_flatness[active]))


def spectral_centroid(*, power: np.ndarray, sample_rate: int = SAMPLE_RATE) -> float:
    """Magnitude-weighted mean frequency over all frames, in Hz (0.0 for silence).

    power: np.ndarray [shape=(257, n_frames)].
    """
    return _centroid_of_magnitudes(np.sum(np.sqrt(power), axis=1, dtype=np.float64), sample_rate=sample_rate)


def _centroid_of_magnitudes(magnitude_per_bin: np.ndarray, *, sample_rate: int) -> float:
    """Centroid in Hz of a magnitude spectrum summed over frames [shape=(257,)]."""
    total = float(np.sum(magnitude_per_bin))
    if not total > 0:
        return 0.0
    frequencies = librosa.fft_frequencies(sr=sample_rate, n_fft=N_FFT)
    return float(frequencies @ magnitude_per_bin / total)
