"""The core data model: tracks, their analysis, pgvector embeddings, playlists."""

import numpy as np
import pytest
from pgvector.django import CosineDistance

from analysis import services
from analysis.models import Embedding, Track, TrackAnalysis
from playlists.models import PlaylistEntry
from tests.factories import EmbeddingFactory, PlaylistEntryFactory, TrackAnalysisFactory, TrackFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_track_removes_its_analysis_embedding_and_playlist_entries():
    track = TrackFactory()
    TrackAnalysisFactory(track=track)
    EmbeddingFactory(track=track)
    entry = PlaylistEntryFactory(track=track)
    kept = PlaylistEntryFactory(playlist=entry.playlist)

    assert services.tracks_delete(item_ids=[track.item_id]) == 1

    assert not Track.objects.filter(pk=track.pk).exists()
    assert not TrackAnalysis.objects.filter(track_id=track.pk).exists()
    assert not Embedding.objects.filter(track_id=track.pk).exists()
    assert list(PlaylistEntry.objects.values_list("pk", flat=True)) == [kept.pk]


def test_embeddings_rank_by_cosine_distance_in_sql():
    base = np.zeros(200)
    base[0] = 1.0
    near, far = np.zeros(200), np.zeros(200)
    near[:2] = [1.0, 0.1]
    far[1] = 1.0
    EmbeddingFactory(track=TrackFactory(item_id="far"), vector=far)
    EmbeddingFactory(track=TrackFactory(item_id="near"), vector=near)

    ranked = Embedding.objects.annotate(distance=CosineDistance("vector", base)).order_by("distance")
    assert [e.track.item_id for e in ranked] == ["near", "far"]
    assert ranked[1].distance == pytest.approx(1.0)


def test_item_id_is_unique_and_upsert_refreshes_metadata():
    services.track_upsert(item_id="abc", server_type="jellyfin", title="Old", author="A")
    services.track_upsert(item_id="abc", server_type="jellyfin", title="New", author="A")
    assert Track.objects.get(item_id="abc").title == "New"
    assert Track.objects.count() == 1


def test_upsert_rejects_unknown_fields():
    with pytest.raises(TypeError, match="genre"):
        services.track_upsert(item_id="x", server_type="local", genre="rock")
