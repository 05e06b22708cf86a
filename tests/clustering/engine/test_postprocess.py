"""Duplicates, artist cap, sizes, top-N most different playlists and the shuffle."""

import json
from collections import Counter

import numpy as np
import pytest

from clustering.engine import (
    ClusteringConfig,
    PostProcessingSettings,
    build_clustering_data,
    finalize_playlists,
    postprocess_playlists,
    run_batch,
)
from clustering.engine.postprocess import fisher_yates_shuffled, most_different
from tests.clustering.engine.synthetic import MOOD_LABELS, TEMPO_RANGE_BPM, planted_library

LOOSE = PostProcessingSettings(top_n_playlists=0, min_playlist_size_for_top_n=1, max_songs_per_artist=100)


def library(artists, *, embeddings=None, mood_columns=None):
    count = len(artists)
    rng = np.random.default_rng(0)
    moods = np.zeros((count, len(MOOD_LABELS)))
    moods[np.arange(count), mood_columns if mood_columns is not None else 0] = 0.8
    return build_clustering_data(
        item_ids=[f"t{i}" for i in range(count)],
        embeddings=embeddings if embeddings is not None else 1.0 + rng.normal(size=(count, 200)),
        tempo_bpm=np.full(count, 100.0),
        energy=np.full(count, 0.5),
        moods=moods,
        other_features=np.zeros((count, 6)),
        artists=artists,
        mood_labels=MOOD_LABELS,
        tempo_range_bpm=TEMPO_RANGE_BPM,
    )


def clean(data, clusters, settings=LOOSE, seed=0):
    return postprocess_playlists(clusters=clusters, data=data, settings=settings, rng=np.random.default_rng(seed))


def test_at_most_max_songs_per_artist_ignoring_case_and_unknown_artists_are_not_capped():
    artists = ["Alpha"] * 4 + ["alpha "] * 2 + ["Beta"] * 2 + [""] * 5
    data = library(artists)
    settings = PostProcessingSettings(top_n_playlists=0, min_playlist_size_for_top_n=1, max_songs_per_artist=3)
    (playlist,) = clean(data, [data.item_ids], settings)
    kept = Counter(data.artists[data.row_of[item]].strip().casefold() for item in playlist.item_ids)
    assert kept == {"alpha": 3, "beta": 2, "": 5}


def test_near_duplicate_recordings_are_kept_once():
    rng = np.random.default_rng(1)
    embeddings = 1.0 + rng.normal(size=(6, 200))
    embeddings[3] = embeddings[1] * 1.001  # another master of track 1: same direction
    data = library([f"artist-{i}" for i in range(6)], embeddings=embeddings)
    (playlist,) = clean(data, [data.item_ids])
    assert len(playlist.item_ids) == 5
    assert len({"t1", "t3"} & set(playlist.item_ids)) == 1


def test_max_songs_per_cluster_keeps_the_tracks_nearest_the_centre():
    rng = np.random.default_rng(2)
    embeddings = 1.0 + 0.4 * rng.normal(size=(10, 200))
    embeddings[7] = 1.0 + 3.0 * rng.normal(size=200)  # far from the others
    data = library([f"a{i}" for i in range(10)], embeddings=embeddings)
    settings = PostProcessingSettings(top_n_playlists=0, min_playlist_size_for_top_n=1, max_songs_per_cluster=9)
    (playlist,) = clean(data, [data.item_ids], settings)
    assert len(playlist.item_ids) == 9 and "t7" not in playlist.item_ids


def test_playlists_below_the_minimum_size_are_dropped():
    data = library([f"a{i}" for i in range(10)])
    settings = PostProcessingSettings(top_n_playlists=0, min_playlist_size_for_top_n=4, max_songs_per_artist=3)
    playlists = clean(data, [data.item_ids[:3], data.item_ids[3:]], settings)
    assert [len(playlist.item_ids) for playlist in playlists] == [7]


def test_top_n_picks_the_largest_then_the_most_different():
    # Clusters: rock (6 tracks), rock again (5), jazz (4), pop (3); keep 3.
    columns = [0] * 11 + [2] * 4 + [1] * 3
    data = library([f"a{i}" for i in range(18)], mood_columns=np.array(columns))
    ids = data.item_ids
    clusters = [ids[6:11], ids[0:6], ids[11:15], ids[15:18]]
    settings = PostProcessingSettings(top_n_playlists=3, min_playlist_size_for_top_n=1, max_songs_per_artist=3)
    playlists = clean(data, clusters, settings)
    assert [set(playlist.item_ids) for playlist in playlists] == [set(ids[0:6]), set(ids[11:15]), set(ids[15:18])]


def test_most_different_with_more_wanted_than_available_returns_all():
    centroids = np.array([[0.0], [1.0], [5.0]])
    assert most_different(centroids=centroids, sizes=[1, 9, 2], count=10) == [1, 2, 0]
    assert most_different(centroids=np.zeros((0, 1)), sizes=[], count=3) == []


def test_the_shuffle_is_a_seeded_permutation():
    values = np.arange(50)
    first = fisher_yates_shuffled(values, rng=np.random.default_rng(3))
    assert sorted(first.tolist()) == values.tolist()
    assert first.tolist() == fisher_yates_shuffled(values, rng=np.random.default_rng(3)).tolist()
    assert first.tolist() != values.tolist()
    assert values.tolist() == list(range(50))  # the input is left alone


@pytest.fixture(scope="module")
def planted_playlists():
    library_ = planted_library(per_blob=40, artist_count=5)  # 8 tracks per artist in each blob
    config = ClusteringConfig.from_dict(
        {"search": {"num_clusters": [6, 12], "pca_components": [5, 15]}, "postprocessing": {"top_n_playlists": 6}}
    )
    best = run_batch(
        data=library_.data, config=config, elites=[], iterations=8, first_run_index=0, rng=np.random.default_rng(0)
    ).best
    return library_, finalize_playlists(best=best, data=library_.data, config=config, rng=np.random.default_rng(0))


def test_finalised_playlists_respect_size_artist_cap_and_top_n(planted_playlists):
    library_, result = planted_playlists
    playlists = result.playlists
    assert len(playlists) == 6
    assert result.scaling.min_playlist_size == 13  # 320 tracks // (4 x 6 playlists)
    for playlist in playlists:
        assert len(playlist.item_ids) >= result.scaling.min_playlist_size
        artists = Counter(library_.data.artists[library_.data.row_of[item]] for item in playlist.item_ids)
        assert max(artists.values()) == 3
    names = [playlist.name for playlist in playlists]
    assert len(set(names)) == len(names) and all(name.endswith("_automatic") for name in names)


def test_finalised_playlists_are_json_ready(planted_playlists):
    _, result = planted_playlists
    encoded = json.loads(json.dumps(result.as_dict()))
    assert encoded["scaling"]["min_playlist_size"] == 13
    assert encoded["playlists"][0]["name"] == result.playlists[0].name
