"""Song path on songs laid out along a quarter circle, every point's answer known."""

import numpy as np
import pytest

from similarity.engine.filters import DuplicateRule
from similarity.engine.path import PathRules, interpolate, point_between, song_path
from similarity.engine.songs import Metric
from tests.similarity.engine.geometry import at, direction


def rules(*, k=1, cap=None, metric=Metric.ANGULAR, max_candidates=50):
    return PathRules(
        metric=metric,
        duplicates=DuplicateRule(threshold=1e-6, lookback=1, metric=metric),
        max_per_artist=cap,
        candidates_per_step=k,
        max_candidates=max_candidates,
    )


class CatalogueLookup:
    """Exact nearest neighbours by cosine, like the index; counts the searches."""

    def __init__(self, songs):
        self.songs = songs
        self.matrix = np.stack([song.vector for song in songs])
        self.searches = 0

    def nearest(self, vector, k):
        self.searches += 1
        return self._ranked(vector, k)

    def nearest_many(self, vectors, k):
        self.searches += 1
        return [self._ranked(vector, k) for vector in vectors]

    def _ranked(self, vector, k):
        order = np.argsort(-(self.matrix @ (vector / np.linalg.norm(vector))), kind="stable")
        return [self.songs[i] for i in order[:k]]


START, END = at("start", 0), at("end", 90)


def ids(path):
    return [song.item_id for song in path.songs]


def test_angular_interpolation_walks_the_great_circle_in_equal_steps():
    points = interpolate(direction(0), direction(90), count=7, metric=Metric.ANGULAR)
    assert np.linalg.norm(points, axis=1) == pytest.approx(np.ones(7))
    angles = np.degrees(np.arctan2(points[:, 1], points[:, 0]))
    assert angles == pytest.approx([0, 15, 30, 45, 60, 75, 90])


def test_euclidean_interpolation_walks_the_straight_line():
    start, end = np.array([0.0, 0.0, 2.0]), np.array([3.0, 0.0, 2.0])
    points = interpolate(start, end, count=4, metric=Metric.EUCLIDEAN)
    assert points == pytest.approx(np.array([[0, 0, 2], [1, 0, 2], [2, 0, 2], [3, 0, 2]]))


def test_interpolating_between_opposite_directions_stays_on_the_sphere():
    points = [point_between(direction(0), direction(180), fraction=t, metric=Metric.ANGULAR) for t in (0, 0.5, 1)]
    assert [float(np.linalg.norm(p)) for p in points] == pytest.approx([1, 1, 1])
    assert points[0] == pytest.approx(direction(0)) and points[2] == pytest.approx(direction(180))
    assert float(points[1] @ direction(0)) == pytest.approx(0.0, abs=1e-9)


def test_each_point_gets_the_song_nearest_to_it_in_order():
    catalogue = [START, END, *(at(f"s{d}", d) for d in range(5, 90, 5))]
    path = song_path(start=START, end=END, length=7, lookup=CatalogueLookup(catalogue), rules=rules(), fix_size=False)
    assert ids(path) == ["start", "s15", "s30", "s45", "s60", "s75", "end"]
    assert path.step_distances == pytest.approx([1 - np.cos(np.radians(15))] * 6)
    assert path.total_distance == pytest.approx(sum(path.step_distances))


def test_without_fix_size_a_point_with_no_free_song_is_skipped():
    catalogue = [START, END, *(at(f"s{d}", d) for d in (10, 20, 30, 50, 52, 60, 70, 80))]
    path = song_path(start=START, end=END, length=10, lookup=CatalogueLookup(catalogue), rules=rules(), fix_size=False)
    # the 40-degree point's only candidate (k=1) is s30, already used
    assert ids(path) == ["start", "s10", "s20", "s30", "s50", "s60", "s70", "s80", "end"]


def test_fix_size_merges_a_failing_point_with_the_next_and_reaches_the_length():
    catalogue = [START, END, *(at(f"s{d}", d) for d in (10, 20, 30, 50, 52, 60, 70, 80))]
    lookup = CatalogueLookup(catalogue)
    path = song_path(start=START, end=END, length=10, lookup=lookup, rules=rules(), fix_size=True)
    assert ids(path) == ["start", "s10", "s20", "s30", "s50", "s52", "s60", "s70", "s80", "end"]
    assert lookup.searches == 2  # every point at once, then the one merged job


def test_fix_size_widens_the_last_job_and_stops_short_only_when_the_library_is_exhausted():
    catalogue = [START, END, at("a", 20), at("b", 30), at("c", 35)]
    wanted_more = song_path(
        start=START, end=END, length=8, lookup=CatalogueLookup(catalogue), rules=rules(k=1), fix_size=True
    )
    assert ids(wanted_more) == ["start", "a", "b", "c", "end"]


def test_the_artist_cap_counts_the_start_and_end_songs():
    start, end = at("start", 0, artist="Band"), at("end", 90, artist="Band")
    catalogue = [start, end, *(at(f"s{d}", d, artist="Band" if d != 45 else "Guest") for d in range(5, 90, 5))]
    path = song_path(
        start=start, end=end, length=7, lookup=CatalogueLookup(catalogue), rules=rules(k=20, cap=3), fix_size=False
    )
    assert ids(path) == ["start", "s15", "s45", "end"]


def test_a_song_too_close_to_the_end_song_is_not_used():
    catalogue = [START, END, at("mid", 45), at("end-copy", 89)]
    strict = PathRules(
        metric=Metric.ANGULAR,
        duplicates=DuplicateRule(threshold=0.01, lookback=1),
        max_per_artist=None,
        candidates_per_step=5,
        max_candidates=5,
    )
    path = song_path(start=START, end=END, length=4, lookup=CatalogueLookup(catalogue), rules=strict, fix_size=False)
    assert ids(path) == ["start", "mid", "end"]


def test_euclidean_paths_measure_steps_in_euclidean_distance():
    catalogue = [START, END, at("s45", 45)]
    path = song_path(
        start=START,
        end=END,
        length=3,
        lookup=CatalogueLookup(catalogue),
        rules=rules(metric=Metric.EUCLIDEAN),
        fix_size=False,
    )
    chord = 2 * np.sin(np.radians(45 / 2))
    assert ids(path) == ["start", "s45", "end"]
    assert path.total_distance == pytest.approx(2 * chord)
