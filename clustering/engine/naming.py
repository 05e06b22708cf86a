"""Playlist names from what a cluster sounds like, e.g. ``Rock_Fast_Aggressive_automatic``.

A feature name joins, from the cluster's centroid (mean score vector):
its top mood; the second mood too when it reaches NAME_SECOND_MOOD_RATIO of
the first; the tempo band (Slow below SLOW_BELOW_BPM, Fast from FAST_FROM_BPM,
Medium between); and its strongest other feature when that reaches
NAME_FEATURE_THRESHOLD. Labels become CamelCase words ("female vocalists" ->
"FemaleVocalists").

``name_playlists`` is the one entry point. An optional ``propose`` callable
(AI naming) is asked first; whatever it returns is sanitised like the
feature names, and a feature name replaces it when it returns None or
nothing printable. Every name is then printable ASCII (letters, digits,
space, ``_`` and ``-``), unique within the run ignoring case (``_2``, ``_3``
on clashes), ends in ``_automatic`` and has at most ``max_length`` characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from clustering.engine.data import ENERGY_COLUMN, TEMPO_COLUMN, ScoreLayout
from clustering.engine.defaults import PLAYLIST_NAME_MAX_LENGTH, PLAYLIST_NAME_SUFFIX
from clustering.engine.errors import InvalidClusteringConfigError

SLOW_BELOW_BPM = 90.0
FAST_FROM_BPM = 130.0
NAME_SECOND_MOOD_RATIO = 0.75
NAME_FEATURE_THRESHOLD = 0.5
TRAIT_MOOD_COUNT = 3
FALLBACK_NAME = "Playlist"
# Room kept for a clash counter such as "_12".
_COUNTER_ROOM = 4
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9 _-]+")
_SPACES = re.compile(r"\s+")
_REPEATED_MARKS = re.compile(r"([_-])\1+")


@dataclass(frozen=True)
class PlaylistTraits:
    """What a playlist sounds like, read from its centroid; also what an AI naming prompt needs."""

    top_moods: tuple[tuple[str, float], ...]
    tempo_bpm: float
    tempo_band: str
    energy: float
    strong_features: tuple[tuple[str, float], ...]


# (traits, playlist index) -> a name, or None to use the feature name. It must not raise.
NameProposer = Callable[[PlaylistTraits, int], str | None]


def name_playlists(
    centroids: np.ndarray | Sequence[Sequence[float]],
    *,
    layout: ScoreLayout,
    propose: NameProposer | None = None,
    max_length: int = PLAYLIST_NAME_MAX_LENGTH,
    suffix: str = PLAYLIST_NAME_SUFFIX,
) -> list[str]:
    """One name per centroid, in order. centroids: [shape=(n_playlists, layout.width)]."""
    base_limit = max_length - len(suffix) - _COUNTER_ROOM
    if base_limit < 1:
        raise InvalidClusteringConfigError(f"max_length {max_length} leaves no room for a name before {suffix!r}")
    names: list[str] = []
    taken: set[str] = set()
    for index, centroid in enumerate(np.asarray(centroids, dtype=np.float64).reshape(-1, layout.width)):
        traits = playlist_traits(centroid, layout=layout)
        proposal = _without_suffix(sanitised_name(propose(traits, index) or ""), suffix) if propose else ""
        base = proposal or sanitised_name(feature_name(traits)) or FALLBACK_NAME
        unique = _unclaimed(base[:base_limit].rstrip(" _-") or FALLBACK_NAME, taken=taken)
        taken.add(unique.casefold())
        names.append(unique + suffix)
    return names


def playlist_traits(centroid: np.ndarray, *, layout: ScoreLayout) -> PlaylistTraits:
    """The traits of one centroid [shape=(layout.width,)]."""
    moods = centroid[layout.mood_columns]
    order = np.argsort(-moods, kind="stable")[:TRAIT_MOOD_COUNT]
    features = centroid[layout.other_feature_columns]
    strong = [i for i in np.argsort(-features, kind="stable") if features[i] >= NAME_FEATURE_THRESHOLD]
    tempo_bpm = layout.tempo_bpm(float(centroid[TEMPO_COLUMN]))
    return PlaylistTraits(
        top_moods=tuple((layout.mood_labels[i], float(moods[i])) for i in order if moods[i] > 0),
        tempo_bpm=tempo_bpm,
        tempo_band=_tempo_band(tempo_bpm),
        energy=float(centroid[ENERGY_COLUMN]),
        strong_features=tuple((layout.other_feature_labels[i], float(features[i])) for i in strong),
    )


def feature_name(traits: PlaylistTraits) -> str:
    """``Rock_Fast_Aggressive``: top mood(s), tempo band, strongest other feature."""
    words = []
    if traits.top_moods:
        first_label, first_value = traits.top_moods[0]
        words.append(_camel_case(first_label))
        if len(traits.top_moods) > 1 and traits.top_moods[1][1] >= NAME_SECOND_MOOD_RATIO * first_value:
            words.append(_camel_case(traits.top_moods[1][0]))
    words.append(traits.tempo_band)
    if traits.strong_features:
        words.append(_camel_case(traits.strong_features[0][0]))
    return "_".join(word for word in words if word)


def sanitised_name(text: str) -> str:
    """Printable ASCII letters, digits, space, ``_`` and ``-`` only; accents folded, repeats (``  ``, ``--``) merged."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = _SPACES.sub(" ", _NOT_ALLOWED.sub(" ", ascii_text))
    return _REPEATED_MARKS.sub(r"\1", cleaned).strip(" _-")


def _tempo_band(tempo_bpm: float) -> str:
    if tempo_bpm < SLOW_BELOW_BPM:
        return "Slow"
    return "Fast" if tempo_bpm >= FAST_FROM_BPM else "Medium"


def _camel_case(label: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", label))


def _without_suffix(name: str, suffix: str) -> str:
    """An AI may already end its name with the suffix; it is added once, later."""
    bare = suffix.strip(" _-")
    if bare and name.casefold().endswith(bare.casefold()):
        return name[: -len(bare)].rstrip(" _-")
    return name


def _unclaimed(base: str, *, taken: set[str]) -> str:
    candidate, counter = base, 1
    while candidate.casefold() in taken:
        counter += 1
        candidate = f"{base}_{counter}"
    return candidate
