"""Small libraries get smaller playlists and fewer clusters by the documented rule; large ones are unchanged."""

from clustering.engine import ClusteringConfig, library_scaling


def test_a_large_library_keeps_the_configured_ranges():
    scaling = library_scaling(tracks_per_run=100_000, config=ClusteringConfig())
    assert scaling.min_playlist_size == 20
    assert scaling.num_clusters == (40, 100)
    assert scaling.dbscan_min_samples == (5, 20)
    assert not scaling.scaled_down


def test_the_rule_starts_biting_below_four_thousand_tracks():
    assert not library_scaling(tracks_per_run=4000, config=ClusteringConfig()).scaled_down
    assert library_scaling(tracks_per_run=3999, config=ClusteringConfig()).num_clusters == (40, 99)


def test_a_few_hundred_tracks_get_playlists_of_seven_from_ten_to_twenty_one_clusters():
    scaling = library_scaling(tracks_per_run=300, config=ClusteringConfig())
    assert scaling.min_playlist_size == 7  # 300 // (4 x 10)
    assert scaling.num_clusters == (10, 21)  # at most 300 // (2 x 7), at least half of that
    assert scaling.gmm_n_components == scaling.spectral_n_clusters == (10, 21)
    assert scaling.dbscan_min_samples == (5, 7)
    assert scaling.scaled_down
    assert "= 7 songs" in scaling.rule and "= 21 clusters" in scaling.rule


def test_a_tiny_library_still_gets_playlists_of_three():
    scaling = library_scaling(tracks_per_run=12, config=ClusteringConfig())
    assert scaling.min_playlist_size == 3
    assert scaling.num_clusters == (2, 2)
