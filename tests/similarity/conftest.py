"""A small analysed library in PostgreSQL with a real index, and an index manager per test.

Three styles (well separated directions), four artists per style, five
songs per artist, plus tracks made to trip the filters: an accented title
and artist, a second copy of a song (same title and artist, another album),
a near-identical recording under another name, and a track that is known
but not analysed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pytest
from django.utils import timezone

from analysis.models import EMBEDDING_DIMENSIONS, Embedding, Track, TrackAnalysis
from similarity import artists, derived_cache, hyperbolic, services
from similarity import library as library_module
from similarity.derived import DerivedModelManager, derived_model_refit
from similarity.index_manager import IndexManager

STYLES = ("rock", "jazz", "electronic")
ARTISTS_PER_STYLE = 4
SONGS_PER_ARTIST = 5
STYLE_FEATURES = {
    "rock": {"danceable": 0.3, "aggressive": 0.8, "happy": 0.4, "party": 0.3, "relaxed": 0.1, "sad": 0.2},
    "jazz": {"danceable": 0.2, "aggressive": 0.1, "happy": 0.5, "party": 0.1, "relaxed": 0.9, "sad": 0.3},
    "electronic": {"danceable": 0.9, "aggressive": 0.3, "happy": 0.7, "party": 0.9, "relaxed": 0.2, "sad": 0.1},
}


class QuietIndexManager(IndexManager):
    """Reads the index through the test's own connection; no listener thread racing the transaction."""

    def _ensure_listener(self) -> None:
        return None


@pytest.fixture(autouse=True)
def index_manager(monkeypatch):
    """A fresh manager per test: the process-wide one would keep a previous test's index."""
    manager = QuietIndexManager()
    monkeypatch.setattr(library_module, "index_manager", manager)
    monkeypatch.setattr(derived_cache, "index_manager", manager)
    derived_cache.clear_all()  # fitted for another test's library
    yield manager
    manager.close()


class QuietDerivedModelManager(DerivedModelManager):
    """A derived model read through the test's own connection, like QuietIndexManager."""

    def _ensure_listener(self) -> None:
        return None


@pytest.fixture(autouse=True)
def derived_model_managers(monkeypatch):
    """Fresh managers of the artist and hyperbolic models per test (none fitted until ``fitted_models``)."""
    managers = {
        "artists": QuietDerivedModelManager(artists.ARTIST_MODEL),
        "hyperbolic": QuietDerivedModelManager(hyperbolic.HYPERBOLIC_MODEL),
    }
    monkeypatch.setattr(artists, "artist_models", managers["artists"])
    monkeypatch.setattr(hyperbolic, "hyperbolic_models", managers["hyperbolic"])
    yield managers
    for manager in managers.values():
        manager.close()


def fit_derived_models() -> None:
    """What the worker does after an index rebuild: fit and store both derived models."""
    for kind in (artists.ARTIST_MODEL, hyperbolic.HYPERBOLIC_MODEL):
        derived_model_refit(kind=kind)


@pytest.fixture
def fitted_models(library) -> Library:
    """The small library with its derived models fitted and stored."""
    fit_derived_models()
    return library


def hex_id(text: str) -> str:
    """Jellyfin-style 32-hex ids."""
    return hashlib.md5(text.encode()).hexdigest()


def artist_id_of(artist: str) -> str:
    """The Jellyfin-style artist id the library's tracks carry for ``artist``."""
    return hex_id(f"artist:{artist}")


@dataclass
class Library:
    ids: dict[str, str] = field(default_factory=dict)  # name -> item_id
    style_of: dict[str, str] = field(default_factory=dict)  # item_id -> style
    artist_of: dict[str, str] = field(default_factory=dict)  # item_id -> artist
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # item_id -> stored embedding

    def in_style(self, style: str) -> list[str]:
        return [item_id for item_id, s in self.style_of.items() if s == style]


def style_centres() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(11)
    return {style: rng.normal(size=EMBEDDING_DIMENSIONS) for style in STYLES}


def add_track(
    library: Library, name: str, *, title: str, artist: str, album: str, style: str, vector, analysed=True
) -> Track:
    track = Track.objects.create(
        item_id=hex_id(name), server_type="jellyfin", title=title, author=artist, artist_id=artist_id_of(artist),
        album=album, album_artist=artist,
    )  # fmt: skip
    library.ids[name] = track.item_id
    if not analysed:
        return track
    moods = {"rock": 0.1, "jazz": 0.1, "electronic": 0.1, "Mellow": 0.2, "00s": 0.3, style: 0.546, "pop": 0.52}
    TrackAnalysis.objects.create(
        track=track,
        tempo=120.0,
        key="A",
        scale="minor",
        energy=0.5,
        moods=moods,
        other_features=STYLE_FEATURES[style],
        model_version="test",
        analysed_at=timezone.now(),
    )
    Embedding.objects.create(track=track, vector=vector, model_version="test")
    library.style_of[track.item_id] = style
    library.artist_of[track.item_id] = artist
    library.vectors[track.item_id] = np.asarray(vector, dtype=np.float64)
    return track


def build_library() -> Library:
    library, rng, centres = Library(), np.random.default_rng(5), style_centres()
    for style in STYLES:
        for artist_number in range(ARTISTS_PER_STYLE):
            artist = f"{style.title()} Artist {artist_number}"
            for song_number in range(SONGS_PER_ARTIST):
                name = f"{style}-{artist_number}-{song_number}"
                vector = centres[style] + 0.35 * rng.normal(size=EMBEDDING_DIMENSIONS)
                add_track(library, name, title=f"{style} tune {artist_number}{song_number}", artist=artist,
                          album=f"{style.title()} Album {artist_number}", style=style, vector=vector)  # fmt: skip
    _add_special_tracks(library, centres, rng)
    services.vector_index_rebuild()
    return library


def _add_special_tracks(library: Library, centres: dict, rng: np.random.Generator) -> None:
    original = library.vectors[library.ids["rock-0-0"]]
    add_track(library, "copy", title="rock tune 00", artist="Rock Artist 0", album="Greatest Hits",
              style="rock", vector=original + 0.01 * rng.normal(size=EMBEDDING_DIMENSIONS))  # fmt: skip
    add_track(library, "remaster", title="Completely Different Name", artist="Reissue Label", album="Remasters",
              style="rock", vector=original + 0.01 * rng.normal(size=EMBEDDING_DIMENSIONS))  # fmt: skip
    electronic = centres["electronic"] + 0.35 * rng.normal(size=EMBEDDING_DIMENSIONS)
    add_track(library, "accented", title="Café del Mar", artist="Beyoncé Knowles", album="Ibiza Sunset",
              style="electronic", vector=electronic)  # fmt: skip
    add_track(library, "unanalysed", title="Café Unheard", artist="Nobody Yet", album="Pending",
              style="jazz", vector=None, analysed=False)  # fmt: skip


@pytest.fixture
def library(db) -> Library:
    return build_library()
