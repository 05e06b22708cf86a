"""GET /api/find_path against real rows and a real index."""

import itertools

import numpy as np
import pytest
from scipy.spatial.distance import cosine as cosine_distance


def find_path(client, **params):
    return client.get("/api/find_path", params)


@pytest.mark.django_db
def test_path_runs_from_start_to_end_with_the_requested_length(token_client, library):
    start, end = library.ids["rock-0-1"], library.ids["electronic-3-4"]
    response = find_path(token_client, start_song_id=start, end_song_id=end, max_steps=12, path_fix_size="true")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"path", "total_distance"}
    ids = [row["item_id"] for row in body["path"]]
    assert ids[0] == start and ids[-1] == end
    assert len(ids) == 12 and len(set(ids)) == 12
    assert library.ids["unanalysed"] not in ids


@pytest.mark.django_db
def test_total_distance_is_the_sum_of_the_steps(token_client, library):
    body = find_path(
        token_client, start_song_id=library.ids["jazz-0-0"], end_song_id=library.ids["rock-1-1"], max_steps=8
    ).json()
    vectors = [library.vectors[row["item_id"]] for row in body["path"]]
    steps = [cosine_distance(a, b) for a, b in itertools.pairwise(vectors)]
    assert body["total_distance"] == pytest.approx(sum(steps), abs=1e-4)
    assert [row["distance"] for row in body["path"]] == pytest.approx([0.0, *steps], abs=1e-5)


@pytest.mark.django_db
def test_path_moves_from_the_start_style_to_the_end_style(token_client, library):
    body = find_path(
        token_client,
        start_song_id=library.ids["jazz-0-0"],
        end_song_id=library.ids["electronic-0-0"],
        max_steps=10,
        path_fix_size="true",
    ).json()
    styles = [library.style_of[row["item_id"]] for row in body["path"]]
    assert styles[:3] == ["jazz"] * 3 and styles[-3:] == ["electronic"] * 3


@pytest.mark.django_db
def test_the_artist_cap_holds_along_the_path(token_client, library, settings):
    settings.MAX_SONGS_PER_ARTIST = 1
    body = find_path(
        token_client, start_song_id=library.ids["rock-0-0"], end_song_id=library.ids["rock-1-0"], max_steps=6
    ).json()
    middle_artists = [row["author"] for row in body["path"][1:-1]]
    assert len(middle_artists) == len(set(middle_artists))
    assert not {"Rock Artist 0", "Rock Artist 1"} & set(middle_artists)


@pytest.mark.django_db
def test_default_length_and_tiny_lengths(token_client, library, settings):
    settings.PATH_DEFAULT_LENGTH = 7
    pair = {"start_song_id": library.ids["rock-2-0"], "end_song_id": library.ids["jazz-2-0"]}
    assert len(find_path(token_client, **pair, path_fix_size="true").json()["path"]) == 7
    assert len(find_path(token_client, **pair, max_steps="abc", path_fix_size="true").json()["path"]) == 7
    assert [row["item_id"] for row in find_path(token_client, **pair, max_steps=1).json()["path"]] == list(
        pair.values()
    )


@pytest.mark.django_db
def test_same_start_and_end_is_400(token_client, library):
    same = library.ids["rock-0-1"]
    response = find_path(token_client, start_song_id=same, end_song_id=same)
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


@pytest.mark.django_db
def test_unknown_songs_are_404_and_missing_ones_400(token_client, library):
    response = find_path(token_client, start_song_id="nope", end_song_id=library.ids["rock-0-1"])
    assert response.status_code == 404 and "error" in response.json()
    response = find_path(token_client, start_song_id="'; DELETE FROM analysis_track; --", end_song_id="x")
    assert response.status_code == 404
    assert find_path(token_client, start_song_id=library.ids["rock-0-1"]).status_code == 400


@pytest.mark.django_db
def test_euclidean_metric_measures_steps_in_euclidean_distance(token_client, library, settings):
    settings.PATH_DISTANCE_METRIC = "euclidean"
    body = find_path(
        token_client, start_song_id=library.ids["jazz-3-0"], end_song_id=library.ids["rock-3-0"], max_steps=5
    ).json()
    units = [library.vectors[row["item_id"]] / np.linalg.norm(library.vectors[row["item_id"]]) for row in body["path"]]
    steps = [float(np.linalg.norm(a - b)) for a, b in itertools.pairwise(units)]
    assert body["total_distance"] == pytest.approx(sum(steps), abs=1e-4)
