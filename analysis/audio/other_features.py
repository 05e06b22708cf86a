"""The six "other features" (danceable, aggressive, happy, party, relaxed, sad), each in [0, 1].

AudioMuse-AI takes these from separate, non-free classifier models. Here each
one is a documented blend of two kinds of evidence the analysis already has:

- tag cues: weighted sums of musicnn tag probabilities, s = sum(w_i * p_i),
  squashed by s / (s + half) so that a sum of ``half`` reads 0.5. The models'
  probabilities are small and uneven (MSD "happy" rarely passes 0.05, "rock"
  often passes 0.5), and the half-points put each cue on a common scale. When
  the MTT tags are there, a cue is the mean of its MSD and MTT readings;
  with MSD alone it is the MSD reading, so every formula works without MTT.
- signal cues from features.SignalFeatures, each mapped linearly onto [0, 1]
  between stated bounds and clipped: pulse clarity, DFA exponent, tempo,
  loudness, spectral flatness, mode.

Every weight and bound was set by looking at the public tracks of the test
corpus (orchestral, cinematic, electronic, chiptune and rock-metal game music)
so that the genres differ in the expected direction and values spread over
[0, 1]; they are judgement, not a fitted model, and the formulas say why.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from analysis.audio.features import SignalFeatures


@dataclass(frozen=True)
class OtherFeatures:
    """Each value in [0, 1]: how strongly the track shows that quality."""

    danceable: float
    aggressive: float
    happy: float
    party: float
    relaxed: float
    sad: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class TagCue:
    """Weighted tag probabilities of each model and the sums that read 0.5."""

    msd: Mapping[str, float]
    msd_half: float
    mtt: Mapping[str, float]
    mtt_half: float


# Distorted guitars, shouted vocals, pounding drums. "rock" counts a little:
# much rock is not aggressive, but aggressive guitar music is tagged rock too.
HEAVY = TagCue(
    msd={"metal": 1.0, "heavy metal": 1.0, "hard rock": 0.7, "punk": 0.7, "rock": 0.2},
    msd_half=0.15,
    mtt={"metal": 1.0, "loud": 0.7, "rock": 0.4, "drums": 0.2},
    mtt_half=0.2,
)
# Genres made for dancing; "electronic" alone (ambient, soundtracks) only a little.
DANCE = TagCue(
    msd={"dance": 1.0, "House": 1.0, "electro": 0.7, "funk": 0.7, "Hip-Hop": 0.5, "rnb": 0.5, "electronic": 0.3},
    msd_half=0.2,
    mtt={"techno": 0.6, "dance": 1.0, "beat": 0.5, "beats": 0.5},
    mtt_half=0.35,
)
# What people play at parties: dance music plus catchy pop.
PARTY = TagCue(
    msd={"party": 2.0, "dance": 1.0, "House": 1.0, "electro": 0.5, "Hip-Hop": 0.5, "catchy": 1.0, "pop": 0.3},
    msd_half=0.2,
    mtt={"dance": 1.0, "techno": 0.5, "beats": 0.5, "pop": 0.5},
    mtt_half=0.35,
)
# Cheerful, bright, upbeat.
HAPPY = TagCue(
    msd={"happy": 3.0, "catchy": 1.0, "funk": 0.7, "party": 1.0, "pop": 0.5, "dance": 0.3},
    msd_half=0.12,
    mtt={"pop": 0.6, "dance": 0.4, "fast": 0.3},
    mtt_half=0.3,
)
# Calm, soft, slow.
CALM = TagCue(
    msd={"chillout": 1.0, "chill": 1.0, "Mellow": 1.0, "ambient": 0.7, "easy listening": 1.0, "beautiful": 0.5},
    msd_half=0.25,
    mtt={"slow": 0.7, "soft": 1.0, "quiet": 1.0, "ambient": 0.7, "new age": 0.7},
    mtt_half=0.45,
)
# Melancholy. MSD "sad" is rare and small; "Mellow" and "beautiful" often go with it.
SAD = TagCue(
    msd={"sad": 3.0, "Mellow": 0.7, "beautiful": 0.5},
    msd_half=0.1,
    mtt={"slow": 0.5, "soft": 0.5, "quiet": 0.5, "violin": 0.3, "cello": 0.3},
    mtt_half=0.35,
)


def other_features(
    *, msd_tags: Mapping[str, float], mtt_tags: Mapping[str, float] | None, signal: SignalFeatures
) -> OtherFeatures:
    """Derive the six features from mean tag probabilities (label -> 0..1) and signal features."""
    cues = _TagCues(**{name: tag_cue(cue, msd_tags=msd_tags, mtt_tags=mtt_tags) for name, cue in _CUES_BY_NAME.items()})
    danceable = _danceable(cues, signal)
    return OtherFeatures(
        danceable=danceable,
        aggressive=_aggressive(cues, signal),
        happy=_happy(cues, signal),
        party=_party(cues, signal, danceable=danceable),
        relaxed=_relaxed(cues, signal),
        sad=_sad(cues, signal),
    )


@dataclass(frozen=True)
class _TagCues:
    """Each TagCue's reading for one track, 0..1."""

    heavy: float
    dance: float
    party: float
    happy: float
    calm: float
    sad: float


_CUES_BY_NAME = {"heavy": HEAVY, "dance": DANCE, "party": PARTY, "happy": HAPPY, "calm": CALM, "sad": SAD}


def _danceable(cues: _TagCues, signal: SignalFeatures) -> float:
    """danceable = 0.35 * dance tags + 0.30 * pulse + 0.20 * steadiness + 0.15 * tempo fit.

    pulse = ramp(pulse_clarity, 0.1, 0.6): a beat you can hear (a metronome is ~1,
    orchestral rubato ~0.15). steadiness = ramp(DFA exponent, 1.1, 0.6): Streich &
    Herrera (2005) found danceable music has a low DFA exponent, a loudness
    envelope that repeats instead of drifting. tempo fit: a Gaussian over
    log2(BPM / 120) with 0.5-octave spread, as most dance music lies in 100-140 BPM.
    """
    return _clip(
        0.35 * cues.dance
        + 0.30 * _ramp(signal.pulse_clarity, 0.1, 0.6)
        + 0.20 * _ramp(_finite_or(signal.dfa_exponent, 1.1), 1.1, 0.6)
        + 0.15 * _tempo_fit(signal.tempo_bpm, centre_bpm=120.0, octaves=0.5)
    )


def _aggressive(cues: _TagCues, signal: SignalFeatures) -> float:
    """aggressive = 0.6 * heavy tags + 0.25 * distortion + 0.15 * loudness - 0.2 * calm tags.

    distortion = ramp(spectral flatness, 0.005, 0.05): overdriven guitars and
    screamed vocals fill the spectrum with noise (the corpus' death metal measures
    about 0.1, its orchestral music below 0.01). loudness = the normalised
    energy. Calm tags pull down music that is loud but gentle.
    """
    return _clip(
        0.6 * cues.heavy + 0.25 * _ramp(signal.spectral_flatness, 0.005, 0.05) + 0.15 * signal.energy - 0.2 * cues.calm
    )


def _happy(cues: _TagCues, signal: SignalFeatures) -> float:
    """happy = 0.45 * happy tags + 0.25 * major mode + 0.15 * liveliness + 0.15 * energy - 0.3 * sad tags.

    major mode = 0.5 +/- 0.5 * key confidence (major up, minor down): the major
    mode is the best-known musical cue of happiness. liveliness =
    ramp(tempo, 70, 150 BPM): fast music sounds happier than slow music.
    """
    return _clip(
        0.45 * cues.happy
        + 0.25 * _major_mode(signal)
        + 0.15 * _ramp(signal.tempo_bpm, 70.0, 150.0)
        + 0.15 * signal.energy
        - 0.3 * cues.sad
    )


def _party(cues: _TagCues, signal: SignalFeatures, *, danceable: float) -> float:
    """party = 0.4 * party tags + 0.35 * danceable + 0.25 * energy - 0.2 * calm tags.

    Party music is danceable and loud; the tags add its genres (dance, house,
    catchy pop), and calm tags pull down danceable but quiet music (lounge, trip-hop).
    """
    return _clip(0.4 * cues.party + 0.35 * danceable + 0.25 * signal.energy - 0.2 * cues.calm)


def _relaxed(cues: _TagCues, signal: SignalFeatures) -> float:
    """relaxed = 0.5 * calm tags + 0.25 * quietness + 0.25 * slowness - 0.4 * heavy tags.

    quietness = 1 - energy; slowness = ramp(tempo, 140, 70 BPM): relaxing music
    is soft and unhurried. Heavy tags exclude loud, distorted music whatever its tempo.
    """
    return _clip(
        0.5 * cues.calm + 0.25 * (1.0 - signal.energy) + 0.25 * _ramp(signal.tempo_bpm, 140.0, 70.0) - 0.4 * cues.heavy
    )


def _sad(cues: _TagCues, signal: SignalFeatures) -> float:
    """sad = 0.45 * sad tags + 0.25 * minor mode + 0.15 * slowness + 0.15 * quietness - 0.3 * happy tags.

    minor mode = 1 - major mode; slowness = ramp(tempo, 140, 70 BPM); quietness =
    1 - energy: sad music tends to be minor, slow and soft.
    """
    return _clip(
        0.45 * cues.sad
        + 0.25 * (1.0 - _major_mode(signal))
        + 0.15 * _ramp(signal.tempo_bpm, 140.0, 70.0)
        + 0.15 * (1.0 - signal.energy)
        - 0.3 * cues.happy
    )


def tag_cue(cue: TagCue, *, msd_tags: Mapping[str, float], mtt_tags: Mapping[str, float] | None) -> float:
    """0..1: s / (s + half) of each model's weighted tag sum, averaged over the models present."""
    readings = [_saturate(_weighted_sum(cue.msd, msd_tags), half=cue.msd_half)]
    if mtt_tags is not None:
        readings.append(_saturate(_weighted_sum(cue.mtt, mtt_tags), half=cue.mtt_half))
    return sum(readings) / len(readings)


def _weighted_sum(weights: Mapping[str, float], tags: Mapping[str, float]) -> float:
    return sum(weight * tags[label] for label, weight in weights.items())


def _saturate(total: float, *, half: float) -> float:
    return total / (total + half) if total > 0 else 0.0


def _ramp(value: float, zero_at: float, one_at: float) -> float:
    """value mapped linearly so that zero_at -> 0 and one_at -> 1 (either order), clipped."""
    return _clip((value - zero_at) / (one_at - zero_at))


def _tempo_fit(bpm: float, *, centre_bpm: float, octaves: float) -> float:
    if not bpm > 0:
        return 0.0
    return math.exp(-0.5 * (math.log2(bpm / centre_bpm) / octaves) ** 2)


def _major_mode(signal: SignalFeatures) -> float:
    """0.5 + 0.5 * key confidence for a major key, 0.5 - 0.5 * confidence for a minor one."""
    sign = 1.0 if signal.scale == "major" else -1.0
    return 0.5 + 0.5 * sign * _clip(signal.key_confidence)


def _finite_or(value: float, default: float) -> float:
    return value if math.isfinite(value) else default


def _clip(value: float) -> float:
    return float(min(1.0, max(0.0, value)))
