"""The library as the engine sees it: ids, embeddings, interpretable score vectors, artists.

A score vector is ``[tempo, energy, mood_1 .. mood_M, other_1 .. other_O]``:
tempo is mapped from BPM onto [0, 1] between the tempo bounds, energy is the
analysis' 0..1 value, moods and other features are probabilities in [0, 1].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Sized
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from clustering.engine.defaults import OTHER_FEATURE_LABELS
from clustering.engine.errors import InvalidClusteringInputError, NotEnoughTracksError

TEMPO_COLUMN = 0
ENERGY_COLUMN = 1
_LEADING_COLUMNS = 2


@dataclass(frozen=True)
class ScoreLayout:
    """Which column of a score vector holds what; tempo 0..1 stands for ``tempo_range_bpm``."""

    mood_labels: tuple[str, ...]
    tempo_range_bpm: tuple[float, float]
    other_feature_labels: tuple[str, ...] = OTHER_FEATURE_LABELS

    def __post_init__(self) -> None:
        low, high = self.tempo_range_bpm
        if not high > low:
            raise InvalidClusteringInputError(f"tempo range must be increasing, not {low}..{high} BPM")

    def tempo_bpm(self, normalised: float) -> float:
        """A score vector's tempo value back in beats per minute."""
        low, high = self.tempo_range_bpm
        return low + normalised * (high - low)

    @property
    def mood_columns(self) -> slice:
        return slice(_LEADING_COLUMNS, _LEADING_COLUMNS + len(self.mood_labels))

    @property
    def other_feature_columns(self) -> slice:
        start = _LEADING_COLUMNS + len(self.mood_labels)
        return slice(start, start + len(self.other_feature_labels))

    @property
    def width(self) -> int:
        return _LEADING_COLUMNS + len(self.mood_labels) + len(self.other_feature_labels)


@dataclass(frozen=True, eq=False)
class ClusteringData:
    """Everything per track that clustering, post-processing and naming read.

    item_ids: the media server ids, one per row.
    embeddings: np.ndarray [shape=(n_tracks, 200)], float32.
    score_vectors: np.ndarray [shape=(n_tracks, layout.width)], float32.
    artists: one per row; "" when unknown.
    """

    item_ids: tuple[str, ...]
    embeddings: np.ndarray
    score_vectors: np.ndarray
    layout: ScoreLayout
    artists: tuple[str, ...]

    @property
    def track_count(self) -> int:
        return len(self.item_ids)

    @property
    def moods(self) -> np.ndarray:
        """np.ndarray [shape=(n_tracks, n_moods)]"""
        return self.score_vectors[:, self.layout.mood_columns]

    @cached_property
    def item_id_array(self) -> np.ndarray:
        """The item ids as np.ndarray [shape=(n_tracks,)] of objects, for fancy indexing by rows."""
        return np.asarray(self.item_ids, dtype=object)

    @cached_property
    def row_of(self) -> dict[str, int]:
        """Item id -> row."""
        return {item_id: row for row, item_id in enumerate(self.item_ids)}

    def rows_of(self, item_ids: Sequence[str]) -> np.ndarray:
        """np.ndarray [shape=(len(item_ids),)] of rows; unknown ids raise InvalidClusteringInputError."""
        try:
            return np.fromiter((self.row_of[item_id] for item_id in item_ids), dtype=np.intp, count=len(item_ids))
        except KeyError as error:
            raise InvalidClusteringInputError(f"item id {error.args[0]!r} is not in the clustering data") from None


def build_clustering_data(
    *,
    item_ids: Sequence[str],
    embeddings: np.ndarray,
    tempo_bpm: np.ndarray,
    energy: np.ndarray,
    moods: np.ndarray,
    other_features: np.ndarray,
    artists: Sequence[str],
    mood_labels: Sequence[str],
    tempo_range_bpm: tuple[float, float],
    other_feature_labels: Sequence[str] = OTHER_FEATURE_LABELS,
) -> ClusteringData:
    """Check the arrays fit together and assemble the score vectors.

    embeddings: [shape=(n, d)]; tempo_bpm, energy: [shape=(n,)], NaN where unknown; moods:
    [shape=(n, len(mood_labels))]; other_features: [shape=(n, len(other_feature_labels))];
    tempo_range_bpm: (TEMPO_MIN_BPM, TEMPO_MAX_BPM), mapped onto 0 and 1.
    """
    layout = ScoreLayout(
        mood_labels=tuple(mood_labels),
        tempo_range_bpm=tempo_range_bpm,
        other_feature_labels=tuple(other_feature_labels),
    )
    embeddings, moods = np.asarray(embeddings, dtype=np.float32), np.asarray(moods, dtype=np.float64)
    other_features = np.asarray(other_features, dtype=np.float64)
    _require_rows(len(item_ids), embeddings=embeddings, tempo_bpm=tempo_bpm, energy=energy, artists=artists)
    _require_rows(len(item_ids), moods=moods, other_features=other_features)
    _require_columns(embeddings, None, "embeddings")
    _require_columns(moods, len(layout.mood_labels), "moods")
    _require_columns(other_features, len(layout.other_feature_labels), "other_features")
    if len(set(item_ids)) != len(item_ids):
        raise InvalidClusteringInputError("item ids must be unique")
    score_vectors = np.column_stack(
        [
            _normalised_tempo(np.asarray(tempo_bpm, dtype=np.float64), tempo_range_bpm=tempo_range_bpm),
            _filled(np.clip(np.asarray(energy, dtype=np.float64), 0.0, 1.0)),
            np.nan_to_num(moods),
            np.nan_to_num(other_features),
        ]
    ).astype(np.float32)
    return ClusteringData(
        item_ids=tuple(item_ids),
        embeddings=embeddings,
        score_vectors=score_vectors,
        layout=layout,
        artists=tuple(artists),
    )


def probability_matrix(rows: Sequence[Mapping[str, float]], *, labels: Sequence[str]) -> np.ndarray:
    """Label -> probability mappings (one per track) as np.ndarray [shape=(len(rows), len(labels))]; missing = 0."""
    matrix = np.zeros((len(rows), len(labels)), dtype=np.float64)
    for row, probabilities in enumerate(rows):
        matrix[row] = [probabilities.get(label, 0.0) for label in labels]
    return matrix


def require_enough_tracks(count: int) -> None:
    if count < 2:
        raise NotEnoughTracksError(
            f"clustering needs at least 2 analysed tracks, got {count}; analyse the library first"
        )


def _normalised_tempo(tempo_bpm: np.ndarray, *, tempo_range_bpm: tuple[float, float]) -> np.ndarray:
    low, high = tempo_range_bpm
    return _filled(np.clip((tempo_bpm - low) / (high - low), 0.0, 1.0))


def _filled(column: np.ndarray) -> np.ndarray:
    """Unknown values take the column mean, so a missing tempo neither pulls a track to 0 nor excludes it."""
    known = column[~np.isnan(column)]
    return np.where(np.isnan(column), known.mean() if known.size else 0.5, column)


def _require_rows(count: int, **arrays: Sized) -> None:
    for name, array in arrays.items():
        if len(array) != count:
            raise InvalidClusteringInputError(f"{name} has {len(array)} rows for {count} item ids")


def _require_columns(array: np.ndarray, expected: int | None, name: str) -> None:
    """``expected`` None: any number of columns, but a 2-d array (empty inputs too: shape (0, d))."""
    if array.ndim != 2 or (expected is not None and array.shape[1] != expected):
        wanted = f"(n_tracks, {expected})" if expected is not None else "(n_tracks, d)"
        raise InvalidClusteringInputError(f"{name} must have shape {wanted}, not {array.shape}")
