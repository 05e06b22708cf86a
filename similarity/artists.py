"""The artist model of the library: fitted from the stored embeddings, held by every process."""

from __future__ import annotations

import atexit

from similarity import selectors
from similarity.derived import DerivedKind, DerivedModelManager
from similarity.engine.artists import ArtistModel, artist_model_from_bytes, artist_model_to_bytes, fit_artist_model


def artist_model_fit_from_db() -> ArtistModel | None:
    """Every analysed track's embedding grouped by its artist (the track's author); None without tracks."""
    embeddings = selectors.all_embeddings()
    if not embeddings.item_ids:
        return None
    return fit_artist_model(
        embeddings=embeddings.vectors, artist_keys=embeddings.authors, track_ids=embeddings.item_ids
    )


ARTIST_MODEL = DerivedKind(
    name="artists",
    fit=artist_model_fit_from_db,
    to_bytes=artist_model_to_bytes,
    load=artist_model_from_bytes,
    not_ready_message="The artist model is not fitted yet: run an analysis first.",
)
artist_models = DerivedModelManager(ARTIST_MODEL)
atexit.register(artist_models.close)
