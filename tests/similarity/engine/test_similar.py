"""Standard ranking and radius walk on songs placed at known angles around the seed."""

import pytest

from similarity.engine.filters import DuplicateRule
from similarity.engine.similar import SimilarRules, nearest_new_songs, similar_radius, similar_standard
from tests.similarity.engine.geometry import at, direction, song

RULES = SimilarRules(duplicates=DuplicateRule(threshold=0.01, lookback=1), max_per_artist=None)
SEED = at("seed", 0, artist="Seed Artist", title="Seed", danceable=0.8)


def two_arms():
    """Plane A (axes 0, 1) at 10, 20, 30 degrees; plane B (axes 0, 2) at 12, 22 degrees."""
    arm_a = [at(f"A{d}", d, artist="A") for d in (10, 20, 30)]
    arm_b = [song(f"B{d}", direction(d, plane=(0, 2)), artist=f"B{d}") for d in (12, 22)]
    return sorted(arm_a + arm_b, key=lambda s: -float(s.vector @ SEED.vector))


def ids(picks):
    return [pick.item_id for pick in picks]


def test_standard_returns_the_n_nearest_with_cosine_distances():
    candidates = two_arms()
    picks = similar_standard(seed=SEED, candidates=candidates, rules=RULES, n=3)
    assert ids(picks) == ["A10", "B12", "A20"]
    assert picks[0].distance == pytest.approx(1 - 0.98480775)


def test_standard_drops_the_seed_its_copies_and_its_title():
    candidates = [
        SEED,
        at("seed-remaster", 3),
        at("seed-other-album", 40, artist="seed artist", title="SEED"),
        at("fine", 60),
    ]
    assert ids(similar_standard(seed=SEED, candidates=candidates, rules=RULES, n=10)) == ["fine"]


def test_standard_caps_artists_and_still_fills_n_from_further_away():
    candidates = [at(f"s{d}", d, artist="Prolific" if d < 50 else f"Other {d}") for d in range(10, 100, 10)]
    capped = SimilarRules(duplicates=RULES.duplicates, max_per_artist=2)
    assert ids(similar_standard(seed=SEED, candidates=candidates, rules=capped, n=4)) == ["s10", "s20", "s50", "s60"]


def test_mood_filter_applies_only_when_asked():
    candidates = [at("calm", 10, danceable=0.1), at("dancey", 20, danceable=0.75)]
    moody = SimilarRules(duplicates=RULES.duplicates, max_per_artist=None, mood_threshold=0.15)
    assert ids(similar_standard(seed=SEED, candidates=candidates, rules=moody, n=5)) == ["dancey"]
    assert ids(similar_standard(seed=SEED, candidates=candidates, rules=RULES, n=5)) == ["calm", "dancey"]


def test_radius_walk_follows_the_nearest_neighbour_chain_not_the_distance_order():
    # Worked out by hand from 0.7 * d(previous) + 0.3 * d(seed): arm A first, then arm B.
    picks = similar_radius(seed=SEED, candidates=two_arms(), rules=RULES, n=5)
    assert ids(picks) == ["A10", "A20", "A30", "B12", "B22"]
    assert picks[1].distance == pytest.approx(1 - 0.93969262)  # distances stay distances to the seed


def test_radius_walk_enforces_the_artist_cap_while_walking():
    capped = SimilarRules(duplicates=RULES.duplicates, max_per_artist=1)
    assert ids(similar_radius(seed=SEED, candidates=two_arms(), rules=capped, n=3)) == ["A10", "B12", "B22"]


def test_radius_walk_returns_exactly_n_when_enough_candidates_exist():
    candidates = [at(f"s{i}", 9 * i + 9, artist=f"Artist {i % 4}") for i in range(19)]
    capped = SimilarRules(duplicates=RULES.duplicates, max_per_artist=3)
    picks = similar_radius(seed=SEED, candidates=candidates, rules=capped, n=12)
    assert len(picks) == 12
    assert len(set(ids(picks))) == 12
    # Four artists, three songs each: the cap, not the pool, ends a longer walk.
    assert len(similar_radius(seed=SEED, candidates=candidates, rules=capped, n=50)) == 12


def test_radius_walk_skips_a_copy_of_the_previous_pick():
    candidates = [at("a", 10), at("a-copy", 11, title="Different title"), at("b", 25)]
    assert ids(similar_radius(seed=SEED, candidates=candidates, rules=RULES, n=3)) == ["a", "b"]


def test_nearest_new_songs_leaves_out_the_chosen_songs_and_their_copies():
    chosen = [at("seed-1", 0), at("seed-2", 40)]
    candidates = [at("seed-1", 0), at("copy-of-seed-2", 41), at("new", 20), at("newer", 60)]
    picks = nearest_new_songs(target=direction(20), candidates=candidates, chosen=chosen, rules=RULES, n=5)
    assert ids(picks) == ["new", "newer"]
    assert picks[0].distance == pytest.approx(0.0)
