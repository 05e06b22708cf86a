"""Input no loose parsing can make sense of is a 400 ``{error}`` on every similarity route, before anything is read
or written: infinite numbers, NUL characters, too many alchemy items."""

from __future__ import annotations

from pathlib import Path

import pytest

from playlists.models import Playlist

INFINITIES = ["inf", "-inf", "1e999", "Infinity"]


def assert_400(response) -> None:
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"error"}


@pytest.mark.django_db
@pytest.mark.parametrize("value", INFINITIES)
@pytest.mark.parametrize(
    "route",
    [
        "/api/similar_tracks?item_id={rock}&n={value}",
        "/api/find_path?start_song_id={rock}&end_song_id={jazz}&max_steps={value}",
        "/api/search_tracks?search_query=rock&start={value}",
        "/api/search_tracks?search_query=rock&end={value}",
        "/api/search_artists?query=rock&limit={value}",
        "/external/search?search_query=rock&start={value}",
        "/api/sonic_fingerprint/generate?n={value}",
    ],
)
def test_an_infinite_integer_in_a_query_is_400(token_client, library, route, value):
    url = route.format(rock=library.ids["rock-0-1"], jazz=library.ids["jazz-0-1"], value=value)
    assert_400(token_client.get(url))


@pytest.mark.django_db
@pytest.mark.parametrize("literal", ["1e999", "-1e999", '"inf"', '"-Infinity"'])
@pytest.mark.parametrize("field", ["n", "seed", "temperature"])
def test_an_infinite_number_in_an_alchemy_body_is_400(token_client, library, field, literal):
    body = f'{{"items": [{{"id": "{library.ids["rock-0-1"]}"}}], "{field}": {literal}}}'
    assert_400(token_client.post("/api/alchemy", data=body, content_type="application/json"))


@pytest.mark.django_db
def test_an_infinite_n_in_a_fingerprint_body_is_400(token_client, library):
    url = "/api/sonic_fingerprint/generate"
    assert_400(token_client.post(url, data='{"n": 1e999}', content_type="application/json"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/track?item_id=ab%00cd",
        "/api/search_tracks?search_query=ro%00ck",
        "/api/search_tracks?title=%00&artist=x",
        "/api/search_artists?query=%00",
        "/api/similar_tracks?title=rock%00&artist=Rock",
        "/api/similar_tracks?item_id=%00",
        "/external/get_score?id=%00",
        "/external/get_embedding?id=a%00",
        "/external/search?search_query=%00",
        "/api/status/abc%00def",
        "/api/max_distance?item_id=%00",
    ],
)
def test_a_nul_character_in_an_id_or_query_is_400(token_client, library, url):
    assert_400(token_client.get(url))


@pytest.mark.django_db
def test_a_nul_character_in_an_alchemy_item_is_400(token_client, library):
    assert_400(token_client.post("/api/alchemy", {"items": [{"id": "a\x00b"}]}, format="json"))


@pytest.mark.django_db
def test_a_playlist_name_with_a_nul_is_400_and_writes_no_file(token_client, library, local_music_dir, settings):
    body = {"playlist_name": "Bad\x00name", "track_ids": [library.ids["rock-0-1"]]}
    assert_400(token_client.post("/api/create_playlist", body, format="json"))
    assert not Playlist.objects.exists()
    assert not Path(settings.PLAYLIST_DIR).exists()


@pytest.mark.django_db
def test_alchemy_refuses_more_items_than_its_limit(token_client, library):
    from similarity.alchemy import MAX_ALCHEMY_ITEMS

    items = [{"id": f"Artist {number}", "type": "artist"} for number in range(MAX_ALCHEMY_ITEMS + 1)]
    response = token_client.post("/api/alchemy", {"items": items}, format="json")
    assert_400(response)
    assert str(MAX_ALCHEMY_ITEMS) in response.json()["error"]


@pytest.mark.django_db
def test_alchemy_resolves_all_artist_items_in_one_query(token_client, library, django_assert_max_num_queries):
    artists = [f"{style.title()} Artist {number}" for style in ("rock", "jazz") for number in range(4)]
    items = [{"id": artist, "type": "artist"} for artist in artists]
    items += [{"id": f"Unknown {number}", "type": "artist", "op": "SUBTRACT"} for number in range(40)]
    with django_assert_max_num_queries(12):
        response = token_client.post("/api/alchemy", {"items": items[:8], "n": 5}, format="json")
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        response = token_client.post("/api/alchemy", {"items": items, "n": 5}, format="json")
    assert response.status_code == 404  # the unknown artists have no tracks
