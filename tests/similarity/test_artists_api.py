"""GET /api/similar_artists on the analysed test library: three styles of four artists each."""

import pytest

from similarity import services
from similarity.artists import artist_model_fit_from_db
from tests.similarity.conftest import ARTISTS_PER_STYLE, add_track, artist_id_of, fit_derived_models, style_centres

pytestmark = pytest.mark.django_db

ROCK = "Rock Artist 1"


def similar(client, **params):
    return client.get("/api/similar_artists", params)


def test_nearest_artists_share_the_style_and_the_seed_is_never_among_them(token_client, fitted_models):
    response = similar(token_client, artist=ROCK, n=ARTISTS_PER_STYLE - 1)

    assert response.status_code == 200
    rows = response.json()
    assert [row["artist"] for row in rows] != [] and ROCK not in [row["artist"] for row in rows]
    # The two other rock artists with their own songs, and the label reissuing a rock song, come first.
    assert all(row["artist"].startswith(("Rock Artist", "Reissue Label")) for row in rows), rows
    divergences = [row["divergence"] for row in rows]
    assert divergences == sorted(divergences) and all(d >= 0 for d in divergences)
    assert all(row["artist_id"] == artist_id_of(row["artist"]) for row in rows)
    assert all("component_matches" not in row for row in rows)


def test_the_media_servers_artist_id_names_the_artist_in_either_parameter(token_client, fitted_models):
    by_name = similar(token_client, artist=ROCK, n=5).json()

    assert similar(token_client, artist=artist_id_of(ROCK), n=5).json() == by_name  # as the Navidrome plugin asks
    assert similar(token_client, artist_id=artist_id_of(ROCK), n=5).json() == by_name
    assert similar(token_client, artist=ROCK.upper(), n=5).json() == by_name
    assert similar(token_client, artist="beyoncé knowles", n=1).status_code == 200


def test_component_matches_name_representative_songs_of_both_artists(token_client, fitted_models):
    rows = similar(token_client, artist=ROCK, n=2, include_component_matches="true").json()

    for row in rows:
        assert row["component_matches"]
        for match in row["component_matches"]:
            seed_songs, other_songs = match["artist1_representative_songs"], match["artist2_representative_songs"]
            assert seed_songs and other_songs
            assert {fitted_models.artist_of[song["item_id"]] for song in seed_songs} == {ROCK}
            assert {fitted_models.artist_of[song["item_id"]] for song in other_songs} == {row["artist"]}
            assert all(song["title"] for song in seed_songs + other_songs)


def test_n_is_clamped_and_every_other_artist_can_be_listed(token_client, fitted_models):
    everyone = similar(token_client, artist=ROCK, n=10**9)

    assert everyone.status_code == 200
    assert len(everyone.json()) == len(set(fitted_models.artist_of.values())) - 1
    assert len(similar(token_client, artist=ROCK, n=-3).json()) == 1
    assert len(similar(token_client, artist=ROCK, n=0).json()) == 10  # the Jellyfin plugin's proxy: n not given
    assert len(similar(token_client, artist=ROCK, n="many", ef_search="deep").json()) == 10


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"artist": "   "}, 400),
        ({"artist": "Nobody At All"}, 404),
        ({"artist_id": "ffffffffffffffffffffffffffffffff"}, 404),
        ({"artist": "Nobody Yet"}, 404),  # known to the server, but no analysed track
        ({"artist": ROCK, "n": "inf"}, 400),
    ],
)
def test_bad_input_is_a_4xx_with_an_error(token_client, fitted_models, params, status):
    response = similar(token_client, **params)

    assert response.status_code == status
    assert isinstance(response.json()["error"], str)


def test_before_any_index_the_answer_is_503(token_client):
    response = similar(token_client, artist=ROCK)

    assert response.status_code == 503 and "error" in response.json()


def test_the_model_follows_the_index(token_client, fitted_models, index_manager, derived_model_managers):
    assert similar(token_client, artist="Newcomer").status_code == 404
    add_track(fitted_models, "newcomer", title="First Song", artist="Newcomer", album="Debut", style="jazz",
              vector=style_centres()["jazz"])  # fmt: skip
    services.vector_index_rebuild()
    index_manager.reload()  # what the rebuild's reload message does in every process
    fit_derived_models()  # what the worker does after the rebuild
    derived_model_managers["artists"].reload()  # and the announcement, in every process

    rows = similar(token_client, artist="Newcomer", n=3).json()
    assert [row["artist"].split()[0] for row in rows] == ["Jazz"] * 3


def test_the_fit_from_the_database_keys_artists_by_name(library):
    model = artist_model_fit_from_db()

    assert set(model.artist_keys) == set(library.artist_of.values())
