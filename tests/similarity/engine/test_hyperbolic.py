"""Hyperbolic view: dense middles near the origin, outliers near the edge; roots lean in, niche leans out."""

import numpy as np
import pytest

from similarity.engine.hyperbolic import (
    MAX_LIMIT,
    HyperbolicError,
    HyperbolicParams,
    fit_hyperbolic_model,
    hyperbolic_model_from_bytes,
    hyperbolic_model_to_bytes,
    hyperbolic_neighbours,
    hyperbolic_tree,
    poincare_distances,
)

DIMENSIONS = 24
CORE = 300
OUTLIERS = 60


def core_and_outliers(seed: int = 0):
    """CORE tracks packed around three nearby centres, then OUTLIERS scattered in every direction."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=DIMENSIONS)
    centres = base + 0.8 * rng.normal(size=(3, DIMENSIONS))
    core = centres[np.arange(CORE) % 3] + 0.35 * rng.normal(size=(CORE, DIMENSIONS))
    outliers = base + 3.0 * rng.normal(size=(OUTLIERS, DIMENSIONS))
    return np.vstack([core, outliers]).astype(np.float32)


@pytest.fixture(scope="module")
def model():
    embeddings = core_and_outliers()
    params = HyperbolicParams(dimensions=8, neighbours=8, landmarks=200)
    return fit_hyperbolic_model(
        embeddings=embeddings, track_ids=[f"t{i}" for i in range(len(embeddings))], params=params
    )


def test_dense_general_tracks_sit_nearer_the_origin_than_outliers(model):
    core_radii, outlier_radii = model.radii[:CORE], model.radii[CORE:]
    assert core_radii.mean() < outlier_radii.mean() - 0.3
    assert np.median(core_radii) < np.percentile(outlier_radii, 10)
    assert np.all((model.radii > 0) & (model.radii < 1))
    np.testing.assert_allclose(np.linalg.norm(model.points, axis=1), model.radii, rtol=1e-5)


def test_nearby_tracks_stay_nearby():
    rng = np.random.default_rng(1)
    centres = 5.0 * rng.normal(size=(2, DIMENSIONS))
    embeddings = centres[np.arange(200) % 2] + rng.normal(size=(200, DIMENSIONS))
    model = fit_hyperbolic_model(embeddings=embeddings, track_ids=[str(i) for i in range(200)])
    result = hyperbolic_neighbours(model, seed_index=0, mode="similar", limit=20)
    assert all(index % 2 == 0 for index in result.indices)


def test_similar_ranks_by_poincare_distance_and_never_returns_the_seed(model):
    for seed in (0, 5, CORE + 3):
        result = hyperbolic_neighbours(model, seed_index=seed, mode="similar", limit=25)
        assert seed not in result.indices
        assert len(result.indices) == 25
        assert list(result.distances) == sorted(result.distances)
        expected = poincare_distances(model.points, model.points[seed])[result.indices]
        np.testing.assert_allclose(result.distances, expected)
        assert result.seed_radius == pytest.approx(float(model.radii[seed]))


def test_roots_lean_toward_general_tracks_and_niche_toward_specific_ones(model):
    middling = np.argsort(model.radii)[len(model) // 2 : len(model) // 2 + 10]
    for seed in middling:
        roots = hyperbolic_neighbours(model, seed_index=int(seed), mode="roots", limit=15, radial_spread=1.0)
        niche = hyperbolic_neighbours(model, seed_index=int(seed), mode="niche", limit=15, radial_spread=1.0)
        similar = hyperbolic_neighbours(model, seed_index=int(seed), mode="similar", limit=15)
        assert roots.radii.mean() < similar.radii.mean() < niche.radii.mean()
        assert roots.radii.mean() < roots.seed_radius
        assert set(roots.indices) != set(niche.indices)


def test_radial_spread_sets_how_strongly_the_modes_lean(model):
    seed = int(np.argsort(model.radii)[len(model) // 2])
    mild = hyperbolic_neighbours(model, seed_index=seed, mode="roots", limit=15, radial_spread=0.2)
    strong = hyperbolic_neighbours(model, seed_index=seed, mode="roots", limit=15, radial_spread=1.0)
    assert strong.radii.mean() < mild.radii.mean()
    same = hyperbolic_neighbours(model, seed_index=seed, mode="roots", limit=15, radial_spread=0.0)
    similar = hyperbolic_neighbours(model, seed_index=seed, mode="similar", limit=15)
    assert same.indices.tolist() == similar.indices.tolist()


def test_a_limit_beyond_the_library_returns_every_other_track():
    model = fit_hyperbolic_model(embeddings=np.random.default_rng(2).normal(size=(5, 4)), track_ids=list("abcde"))
    result = hyperbolic_neighbours(model, seed_index=2, mode="niche", limit=50)
    assert sorted(result.indices.tolist()) == [0, 1, 3, 4]


def test_bad_queries_say_what_is_wrong(model):
    with pytest.raises(ValueError, match="mode must be one of similar, roots, niche"):
        hyperbolic_neighbours(model, seed_index=0, mode="sideways", limit=5)
    for limit in (0, -3, MAX_LIMIT + 1, 10**9):
        with pytest.raises(ValueError, match="limit must be between 1 and"):
            hyperbolic_neighbours(model, seed_index=0, mode="similar", limit=limit)
    with pytest.raises(ValueError, match="seed_index"):
        hyperbolic_neighbours(model, seed_index=len(model), mode="similar", limit=5)
    for spread in (-0.1, float("nan"), 1e6):
        with pytest.raises(ValueError, match="radial_spread"):
            hyperbolic_neighbours(model, seed_index=0, mode="roots", limit=5, radial_spread=spread)
    with pytest.raises(HyperbolicError, match="not in the hyperbolic model"):
        model.index_of("missing")
    with pytest.raises(HyperbolicError, match="at least 2"):
        fit_hyperbolic_model(embeddings=np.ones((1, 4)), track_ids=["only"])


def test_the_tree_grows_from_general_tracks_to_more_specific_ones(model):
    tree = hyperbolic_tree(model, roots=3, children=2, depth=3)
    assert len(tree) == 3
    seen = []

    def walk(node, level):
        seen.append(node["index"])
        assert model.item_ids[node["index"]] == node["item_id"]
        assert len(node["children"]) <= 2
        for child in node["children"]:
            assert child["radius"] > node["radius"]
            assert child["distance"] > 0
            walk(child, level + 1)
        assert level <= 3

    for root in tree:
        assert root["distance"] == 0.0
        walk(root, 1)
    assert len(seen) == len(set(seen)) == 3 * (1 + 2 + 4)
    assert max(root["radius"] for root in tree) < np.median(model.radii)
    with pytest.raises(ValueError, match="roots >= 1"):
        hyperbolic_tree(model, roots=0)


def test_bytes_round_trip(model):
    loaded = hyperbolic_model_from_bytes(hyperbolic_model_to_bytes(model))
    assert loaded.item_ids == model.item_ids
    np.testing.assert_array_equal(loaded.points, model.points)
    np.testing.assert_array_equal(loaded.radii, model.radii)
    assert loaded.index_of("t7") == 7
    with pytest.raises(HyperbolicError, match="not a stored hyperbolic model"):
        hyperbolic_model_from_bytes(b"garbage")


def test_the_same_inputs_give_the_same_model():
    embeddings = core_and_outliers(seed=4)
    track_ids = [str(i) for i in range(len(embeddings))]
    first = fit_hyperbolic_model(embeddings=embeddings, track_ids=track_ids, seed=3)
    second = fit_hyperbolic_model(embeddings=embeddings, track_ids=track_ids, seed=3)
    np.testing.assert_array_equal(first.points, second.points)
