"""Artist mixtures: planted clusters of artists, divergence properties, one-track artists, bytes round trip."""

import numpy as np
import pytest

from similarity.engine.artists import (
    MAX_RESULTS,
    ArtistModelError,
    ArtistModelParams,
    UnknownArtistError,
    artist_components,
    artist_divergence,
    artist_model_from_bytes,
    artist_model_to_bytes,
    component_count,
    fit_artist_model,
    mixture_divergence,
    similar_artists,
)

DIMENSIONS = 16
CLUSTERS = 4
ARTISTS_PER_CLUSTER = 6


def planted_library(seed: int = 0):
    """Artists in CLUSTERS style clusters; artist ``c{c}-a{a}`` has 1..20 tracks around its cluster's centre."""
    rng = np.random.default_rng(seed)
    centres = 4.0 * rng.normal(size=(CLUSTERS, DIMENSIONS))
    embeddings, artist_keys, track_ids = [], [], []
    for cluster in range(CLUSTERS):
        for artist in range(ARTISTS_PER_CLUSTER):
            for track in range(1 + (artist * 7) % 20):
                embeddings.append(centres[cluster] + rng.normal(size=DIMENSIONS))
                artist_keys.append(f"c{cluster}-a{artist}")
                track_ids.append(f"c{cluster}-a{artist}-t{track}")
    return np.array(embeddings, dtype=np.float32), artist_keys, track_ids


@pytest.fixture(scope="module")
def model():
    embeddings, artist_keys, track_ids = planted_library()
    return fit_artist_model(embeddings=embeddings, artist_keys=artist_keys, track_ids=track_ids)


def test_artists_from_the_same_cluster_come_first(model):
    for key in model.artist_keys:
        results = similar_artists(model, artist_key=key, n=ARTISTS_PER_CLUSTER - 1)
        assert [result.artist_key.split("-")[0] for result in results] == [key.split("-")[0]] * (
            ARTISTS_PER_CLUSTER - 1
        )
        divergences = [result.divergence for result in results]
        assert divergences == sorted(divergences)


def test_the_seed_is_never_in_its_own_result(model):
    for key in model.artist_keys:
        results = similar_artists(model, artist_key=key, n=len(model) + 5)
        assert key not in {result.artist_key for result in results}
        assert len(results) == len(model) - 1


def test_divergence_is_symmetric_zero_on_itself_and_positive_elsewhere(model):
    keys = model.artist_keys
    for first in keys[:8]:
        assert artist_divergence(model, first_key=first, second_key=first) == pytest.approx(0.0, abs=1e-6)
        for second in keys[-8:]:
            forward = artist_divergence(model, first_key=first, second_key=second)
            assert forward == pytest.approx(artist_divergence(model, first_key=second, second_key=first))
            assert forward > 0


def test_batch_divergence_matches_the_formula_on_components(model):
    first, second = "c0-a3", "c2-a5"
    expected = mixture_divergence(
        artist_components(model, artist_key=first), artist_components(model, artist_key=second)
    )
    assert artist_divergence(model, first_key=first, second_key=second) == pytest.approx(expected, rel=1e-5)


def test_component_count_grows_slowly_to_the_cap():
    params = ArtistModelParams()
    counts = [component_count(tracks, params=params) for tracks in (1, 2, 11, 12, 27, 48, 1000)]
    assert counts == [1, 1, 1, 2, 3, 4, 4]


def test_components_have_weights_summing_to_one_and_their_own_representatives(model):
    for key in model.artist_keys:
        components = artist_components(model, artist_key=key)
        assert sum(component.weight for component in components) == pytest.approx(1.0)
        assert [c.weight for c in components] == sorted((c.weight for c in components), reverse=True)
        for component in components:
            assert np.linalg.norm(component.mean) == pytest.approx(1.0, abs=1e-5)
            assert 1 <= len(component.representative_track_ids) <= 3
            assert all(track_id.startswith(key + "-") for track_id in component.representative_track_ids)


def test_an_artist_with_one_track_has_one_component_and_gets_answers(model):
    (component,) = artist_components(model, artist_key="c1-a0")
    assert component.weight == 1.0
    assert component.spread == pytest.approx(0.0, abs=1e-6)
    assert component.representative_track_ids == ("c1-a0-t0",)
    results = similar_artists(model, artist_key="c1-a0", n=3, include_component_matches=True)
    assert [result.artist_key[:2] for result in results] == ["c1"] * 3


def test_component_matches_name_both_sides_representatives(model):
    (result,) = similar_artists(model, artist_key="c3-a5", n=1, include_component_matches=True)
    assert result.component_matches
    costs = [match.cost for match in result.component_matches]
    assert costs == sorted(costs)
    for match in result.component_matches:
        assert all(track_id.startswith("c3-a5-") for track_id in match.seed_track_ids)
        assert all(track_id.startswith(result.artist_key + "-") for track_id in match.other_track_ids)
    assert similar_artists(model, artist_key="c3-a5", n=1)[0].component_matches == ()


def test_the_same_inputs_give_the_same_model():
    embeddings, artist_keys, track_ids = planted_library(seed=3)
    first = fit_artist_model(embeddings=embeddings, artist_keys=artist_keys, track_ids=track_ids, seed=7)
    second = fit_artist_model(embeddings=embeddings, artist_keys=artist_keys, track_ids=track_ids, seed=7)
    assert np.array_equal(first.means, second.means)
    assert first.representative_track_ids == second.representative_track_ids


def test_bytes_round_trip(model):
    loaded = artist_model_from_bytes(artist_model_to_bytes(model))
    assert loaded.artist_keys == model.artist_keys
    assert loaded.representative_track_ids == model.representative_track_ids
    assert np.array_equal(loaded.component_offsets, model.component_offsets)
    np.testing.assert_allclose(loaded.means, model.means, atol=2e-3)
    before = similar_artists(model, artist_key="c2-a4", n=4)
    after = similar_artists(loaded, artist_key="c2-a4", n=4)
    assert {r.artist_key for r in after} == {r.artist_key for r in before}
    assert [r.divergence for r in after] == pytest.approx([r.divergence for r in before], abs=1e-3)


def test_bad_input_says_what_is_wrong(model):
    with pytest.raises(UnknownArtistError, match="nobody"):
        similar_artists(model, artist_key="nobody", n=3)
    for n in (0, -1, MAX_RESULTS + 1, 10**9):
        with pytest.raises(ArtistModelError, match="n must be between 1 and"):
            similar_artists(model, artist_key="c0-a0", n=n)
    with pytest.raises(ArtistModelError, match="oversample"):
        similar_artists(model, artist_key="c0-a0", n=3, oversample=0)
    with pytest.raises(ArtistModelError, match="one entry per track"):
        fit_artist_model(embeddings=np.ones((3, 4)), artist_keys=["a", "b"], track_ids=["1", "2", "3"])
    with pytest.raises(ArtistModelError, match="non-empty"):
        fit_artist_model(embeddings=np.empty((0, 4)), artist_keys=[], track_ids=[])
    with pytest.raises(ArtistModelError, match="not a stored artist model"):
        artist_model_from_bytes(b"not a model")


def test_a_library_of_one_artist_has_no_similar_artists():
    model = fit_artist_model(embeddings=np.eye(3), artist_keys=["solo"] * 3, track_ids=["1", "2", "3"])
    assert similar_artists(model, artist_key="solo", n=5) == []
