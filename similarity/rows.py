"""The song row every similarity endpoint returns, in AudioMuse-AI's field names and text formats."""

from __future__ import annotations

from collections.abc import Mapping

# The 50 MSD tags mix genres, moods, decades and voices; these are the genres.
GENRE_TAGS = frozenset(
    {
        "rock", "pop", "alternative", "indie", "electronic", "dance", "alternative rock", "jazz", "metal",
        "chillout", "classic rock", "soul", "indie rock", "electronica", "folk", "punk", "oldies", "blues",
        "hard rock", "ambient", "acoustic", "experimental", "Hip-Hop", "country", "easy listening", "funk",
        "electro", "heavy metal", "Progressive rock", "rnb", "indie pop", "House",
    }
)  # fmt: skip
OTHER_FEATURE_ORDER = ("danceable", "aggressive", "happy", "party", "relaxed", "sad")


def mood_vector_text(moods: Mapping[str, float], *, top_n: int) -> str:
    """The ``top_n`` strongest tags as ``"rock:0.546,pop:0.520"`` (3 decimals, strongest first)."""
    strongest = sorted(moods.items(), key=lambda item: (-float(item[1]), item[0]))[:top_n]
    return ",".join(f"{label}:{float(value):.3f}" for label, value in strongest)


def other_features_text(features: Mapping[str, float]) -> str:
    """``"danceable:0.50,aggressive:0.12,..."`` in AudioMuse-AI's feature order (2 decimals)."""
    ordered = [name for name in OTHER_FEATURE_ORDER if name in features]
    ordered += sorted(name for name in features if name not in OTHER_FEATURE_ORDER)
    return ",".join(f"{name}:{float(features[name]):.2f}" for name in ordered)


def top_genre(moods: Mapping[str, float]) -> str:
    genres = {label: value for label, value in moods.items() if label in GENRE_TAGS}
    return _strongest(genres)


def top_mood(features: Mapping[str, float]) -> str:
    """The strongest of the other features (danceable, aggressive, happy, party, relaxed, sad)."""
    return _strongest(features)


def _strongest(values: Mapping[str, float]) -> str:
    if not values:
        return ""
    return max(values.items(), key=lambda item: (float(item[1]), item[0]))[0]


def song_row(*, item_id: str, details, moods: Mapping[str, float], distance: float, top_n_moods: int) -> dict:
    """The row of one track; ``details`` is a selectors.TrackDetails, ``distance`` a cosine distance."""
    return {
        "item_id": item_id,
        "title": details.title,
        "author": details.author,
        "album": details.album,
        "album_artist": details.album_artist,
        "distance": round(float(distance), 6),
        "mood_vector": mood_vector_text(moods, top_n=top_n_moods),
        "other_features": other_features_text(details.other_features),
        "top_genre": top_genre(moods),
        "top_mood": top_mood(details.other_features),
    }


def analysed_track_fields(track, *, top_n_moods: int) -> dict:
    """A track's year and duration and its analysis (tempo, key, scale, energy, moods, other features),
    as the score row and the sync row show them. ``track`` has its ``analysis`` loaded."""
    analysis = track.analysis
    return {
        "year": track.year,
        "duration": track.duration,
        "tempo": analysis.tempo,
        "key": analysis.key,
        "scale": analysis.scale,
        "energy": analysis.energy,
        "mood_vector": mood_vector_text(analysis.moods or {}, top_n=top_n_moods),
        "other_features": other_features_text(analysis.other_features or {}),
    }
