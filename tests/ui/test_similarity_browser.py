"""The similarity pages in a real browser, as a user without staff rights, against a real index.

The library is a local folder of tiny WAV files (so playlists are real
.m3u8 files) whose tracks carry made-up embeddings in three well separated
styles; the vector index is built from them before the page is opened.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile
from playwright.sync_api import expect

from analysis.models import EMBEDDING_DIMENSIONS, Embedding, Track
from mediaservers.adapters.local import stable_id
from playlists.models import Playlist, PlaylistOrigin
from similarity import library as library_module
from similarity import services
from similarity.index_manager import IndexManager
from tests.mediaservers.fakes.catalog import Catalog
from tests.mediaservers.fakes.jellyfin import FakeJellyfin

STYLES = ("Rock", "Jazz", "Electronic")
ARTISTS_PER_STYLE = 2
SONGS_PER_ARTIST = 3
WAV_RATE = 8000


class ListenerlessIndexManager(IndexManager):
    """Loads the index on first use and by version check; no Redis listener thread outliving the test."""

    def _ensure_listener(self) -> None:
        return None


@pytest.fixture
def index_manager(monkeypatch):
    """A fresh in-memory index per test: the process-wide one may hold an earlier test's index of the same version."""
    manager = ListenerlessIndexManager()
    monkeypatch.setattr(library_module, "index_manager", manager)
    yield manager
    manager.close()


@pytest.fixture
def songs(music_dir, index_manager, transactional_db) -> dict[str, str]:
    """Title -> item_id of 18 analysed songs: "Jazz Song 01" is Jazz Artist 0's second song."""
    rng = np.random.default_rng(7)
    ids = {}
    for style in STYLES:
        centre = rng.normal(size=EMBEDDING_DIMENSIONS)
        for artist_number in range(ARTISTS_PER_STYLE):
            artist, album = f"{style} Artist {artist_number}", f"{style} Album {artist_number}"
            for song_number in range(SONGS_PER_ARTIST):
                title = f"{style} Song {artist_number}{song_number}"
                relative = f"{artist}/{album}/{song_number + 1:02d} - {title}.wav"
                write_silence(music_dir / relative)
                track = Track.objects.create(
                    item_id=stable_id(relative), server_type="local", title=title, author=artist, album=album
                )
                vector = centre + 0.3 * rng.normal(size=EMBEDDING_DIMENSIONS)
                Embedding.objects.create(track=track, vector=vector, model_version="test")
                ids[title] = track.item_id
    services.vector_index_rebuild()
    return ids


def write_silence(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, np.zeros(WAV_RATE // 10, dtype="float32"), WAV_RATE)


def pick_song(page, picker_id: str, typed: str, suggestion: str) -> None:
    """Type into a song autocomplete and click the suggestion that shows ``suggestion``."""
    page.fill(f"#{picker_id}", typed)
    page.locator(f"#{picker_id}-suggestions [role=option]", has_text=suggestion).first.click()
    expect(page.locator(f"#{picker_id}-suggestions")).to_be_hidden()


def result_rows(page):
    return page.locator("[data-results-panel] tbody tr")


def test_similar_song_from_the_autocomplete_to_a_playlist_file(listener_page, songs, settings, tmp_path):
    page = listener_page
    page.get_by_role("link", name="Similar Song").click()
    page.wait_for_load_state()  # the page scripts wire the form on DOMContentLoaded
    expect(page.locator("[data-results-panel] [data-field=empty]")).to_contain_text("No results yet")

    page.fill("#seed_song", "jazz")
    suggestions = page.locator("#seed_song-suggestions [role=option]")
    expect(suggestions).to_have_count(6)
    suggestions.filter(has_text="Jazz Song 01").click()
    expect(page.locator("#seed_song")).to_have_value("Jazz Song 01 - Jazz Artist 0")
    page.fill("#n", "5")
    with page.expect_request("**/api/similar_tracks?*") as request:
        page.get_by_role("button", name="Find similar songs").click()

    sent = request.value.url
    assert f"item_id={songs['Jazz Song 01']}&n=5&eliminate_duplicates=true&radius_similarity=true" in sent
    rows = result_rows(page)
    expect(rows).to_have_count(5)
    expect(page.locator("[data-results-panel] [data-field=empty]")).to_be_hidden()
    artists = rows.locator("td:nth-child(3)").all_inner_texts()
    assert set(artists) <= {"Jazz Artist 0", "Jazz Artist 1"}
    assert "Jazz Song 01" not in rows.locator("td:nth-child(2)").all_inner_texts()
    distances = [float(text) for text in rows.locator("td:nth-child(5)").all_inner_texts()]
    assert all(0 < distance < 0.5 for distance in distances)  # same style; the radius walk sets the order

    expect(page.locator("#playlist_name")).to_have_value("Similar to Jazz Song 01")
    page.get_by_role("button", name="Create playlist").click()
    expect(page.locator('[data-field="playlist-result"]')).to_contain_text("created with 5 tracks")
    expect(page.locator('[data-field="playlist-result"]')).to_contain_text("5 mapped")
    written = (Path(settings.PLAYLIST_DIR) / "Similar to Jazz Song 01.m3u8").read_text().splitlines()
    assert len([line for line in written if line.endswith(".wav")]) == 5
    playlist = Playlist.objects.get()
    assert playlist.origin == PlaylistOrigin.MANUAL and playlist.entries.count() == 5
    page.screenshot(path=tmp_path / "similar-song.png", full_page=True)


def test_similar_song_asks_for_a_pick_and_shows_the_api_error(listener_page, songs):
    page = listener_page
    page.goto("/similar")
    error = page.locator('form[data-form="similar"] [data-field="error"]')

    page.fill("#seed_song", "nothing like this")
    expect(page.locator("#seed_song-suggestions")).to_contain_text("No analysed song matches")
    page.get_by_role("button", name="Find similar songs").click()
    expect(error).to_have_text("Pick a song from the suggestions first.")

    pick_song(page, "seed_song", "rock song 00", "Rock Song 00 - Rock Artist 0")
    Embedding.objects.all().delete()
    services.vector_index_rebuild()  # no embeddings left: the index is gone
    page.get_by_role("button", name="Find similar songs").click()
    expect(error).to_contain_text("index is not built yet")
    expect(result_rows(page)).to_have_count(0)


def test_song_path_shows_the_steps_in_a_table_and_a_chart(listener_page, songs, tmp_path):
    page = listener_page
    page.goto("/path")

    pick_song(page, "start_song", "rock song 00", "Rock Song 00 - Rock Artist 0")
    pick_song(page, "end_song", "electronic song 12", "Electronic Song 12 - Electronic Artist 1")
    expect(page.locator("#end_song")).to_have_value("Electronic Song 12 - Electronic Artist 1")
    page.fill("#max_steps", "6")
    page.check("input[name=path_fix_size]")
    page.get_by_role("button", name="Find path").click()

    rows = result_rows(page)
    expect(rows).to_have_count(6)
    titles = rows.locator("td:nth-child(2)").all_inner_texts()
    assert titles[0] == "Rock Song 00" and titles[-1] == "Electronic Song 12"
    expect(page.locator("[data-field=summary]")).to_contain_text("6 songs, total distance")
    chart = page.locator("[data-chart].js-plotly-plot")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    expect(chart.locator(".scatterlayer .point")).to_have_count(5)  # one point per step between 6 songs
    plotted = chart.evaluate("element => element.data[0].y")
    shown = [float(text) for text in rows.locator("td:nth-child(5)").all_inner_texts()[1:]]
    assert [round(distance, 3) for distance in plotted] == shown
    expect(page.locator("#playlist_name")).to_have_value("Path from Rock Song 00 to Electronic Song 12")
    page.screenshot(path=tmp_path / "song-path.png", full_page=True)


def test_song_path_reports_the_same_start_and_end(listener_page, songs):
    page = listener_page
    page.goto("/path")
    pick_song(page, "start_song", "jazz song 10", "Jazz Song 10 - Jazz Artist 1")
    pick_song(page, "end_song", "jazz song 10", "Jazz Song 10 - Jazz Artist 1")
    page.get_by_role("button", name="Find path").click()
    expect(page.locator('form[data-form="path"] [data-field="error"]')).to_have_text(
        "Start and end songs must be different"
    )
    expect(page.locator("[data-chart-card]")).to_be_hidden()


def test_alchemy_with_an_included_and_an_excluded_song_maps_the_blend(listener_page, songs, tmp_path):
    page = listener_page
    page.goto("/alchemy")
    cards = page.locator(".alchemy-card")

    pick_song(page, "add_song", "jazz song 00", "Jazz Song 00 - Jazz Artist 0")
    expect(cards).to_have_count(1)
    expect(page.locator("#add_song")).to_have_value("")  # ready for the next song
    pick_song(page, "add_song", "rock song 00", "Rock Song 00 - Rock Artist 0")
    pick_song(page, "add_song", "electronic song 00", "Electronic Song 00 - Electronic Artist 0")
    expect(cards).to_have_count(3)
    page.get_by_role("button", name="Remove Electronic Song 00 - Electronic Artist 0").click()
    expect(cards).to_have_count(2)
    cards.filter(has_text="Rock Song 00").get_by_role("radio", name="Exclude").check()
    page.fill("#n", "6")
    page.fill("#temperature", "0")
    page.locator("#subtract_distance").fill("0.5")
    expect(page.locator('[data-field="subtract-distance-value"]')).to_have_text("0.50")
    with page.expect_request("**/api/alchemy") as request:
        page.get_by_role("button", name="Run alchemy").click()

    assert request.value.post_data_json == {
        "items": [
            {"id": songs["Jazz Song 00"], "op": "ADD", "type": "song"},
            {"id": songs["Rock Song 00"], "op": "SUBTRACT", "type": "song"},
        ],
        "n": 6,
        "temperature": 0,
        "subtract_distance": 0.5,
    }
    rows = result_rows(page)
    expect(rows).to_have_count(6)
    assert not [artist for artist in rows.locator("td:nth-child(3)").all_inner_texts() if artist.startswith("Rock")]
    expect(page.locator("[data-field=summary]")).to_have_text("6 songs, 5 filtered out by the excluded songs")
    chart = page.locator("[data-chart].js-plotly-plot")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    traces = chart.evaluate("element => element.data.map(trace => [trace.name, trace.marker.symbol, trace.x.length])")
    assert ["Results", "circle", 6] in traces and ["Filtered out", "x", 5] in traces  # the other rock songs
    assert ["Included songs", "star", 1] in traces and ["Excluded songs", "star", 1] in traces
    assert ["Include centre", "diamond", 1] in traces and ["Exclude centre", "diamond", 1] in traces
    expect(chart.locator(".legendtext")).to_contain_text(["Results", "Included songs", "Excluded songs"])
    hover_texts = chart.evaluate("element => element.data.find(trace => trace.name === 'Included songs').text")
    assert hover_texts == ["Jazz Song 00 - Jazz Artist 0"]
    expect(page.locator("#playlist_name")).to_have_value("Alchemy: Jazz Song 00 - Rock Song 00")
    page.screenshot(path=tmp_path / "alchemy.png", full_page=True)


def test_sonic_fingerprint_shows_why_a_folder_has_no_history(listener_page, songs, tmp_path):
    page = listener_page
    page.goto("/fingerprint")
    expect(page.locator('[data-field="server-note"]')).to_contain_text("local")
    expect(page.locator("#jellyfin_token")).to_have_count(0)
    page.fill("#n", "5")

    held = []  # the request waits here, so the busy button can be seen
    page.route("**/api/sonic_fingerprint/generate", lambda route: held.append(route))
    button = page.get_by_role("button", name="Generating...")
    page.get_by_role("button", name="Generate").click()
    expect(button).to_be_disabled()
    with page.expect_response("**/api/sonic_fingerprint/generate") as response:
        held[0].continue_()

    assert response.value.status == 400
    assert response.value.request.post_data_json == {"n": 5}
    error = page.locator('form[data-form="fingerprint"] [data-field="error"]')
    expect(error).to_have_text("local does not support play history")
    expect(page.get_by_role("button", name="Generate")).to_be_enabled()
    expect(page.locator("[data-results-panel] [data-field=empty]")).to_have_text("No fingerprint yet: press Generate.")
    expect(page.locator("form[data-playlist-form]")).to_be_hidden()
    page.screenshot(path=tmp_path / "fingerprint.png", full_page=True)


@pytest.fixture
def jellyfin(settings, index_manager, transactional_db):
    """A fake Jellyfin as the configured server; our library holds its six tracks, two albums that sound apart."""
    with FakeJellyfin(Catalog.synthetic(albums=2, tracks_per_album=3)) as fake:
        fake.serve_as(settings)
        mirror_catalog(fake)
        yield fake
    assert not fake.errors, fake.errors


def test_sonic_fingerprint_reads_another_users_jellyfin_history(listener_page, jellyfin):
    jellyfin.set_plays("bob", "Song 00001-02", 7, datetime.now(tz=UTC))
    page = listener_page
    page.goto("/fingerprint")

    page.fill("#jellyfin_user_identifier", "bob")
    page.fill("#jellyfin_token", jellyfin.users["bob"].token)
    page.fill("#n", "4")
    with page.expect_request("**/api/sonic_fingerprint/generate") as request:
        page.get_by_role("button", name="Generate").click()

    rows = result_rows(page)
    expect(rows).to_have_count(4)
    assert request.value.post_data_json == {"n": 4, "jellyfin_user_identifier": "bob", "jellyfin_token": "bob-token"}
    assert "bob-token" not in request.value.url
    expect(rows.first.locator("td:nth-child(2)")).to_have_text("Song 00001-02")  # the most played comes first
    expect(page.locator("#playlist_name")).to_have_value("Sonic Fingerprint of bob")

    # The same credentials make the playlist bob's, not the configured account's.
    with page.expect_response("**/api/create_playlist") as created:
        page.get_by_role("button", name="Create playlist").click()
    expect(page.locator('[data-field="playlist-result"]')).to_contain_text("4 mapped")
    playlist_id = created.value.json()["playlist_id"]
    assert jellyfin.playlists[playlist_id].owner_id == jellyfin.users["bob"].id


def mirror_catalog(jellyfin) -> None:
    """Our library holds the fake server's tracks under its ids; albums 0 and 1 sound different."""
    rng = np.random.default_rng(3)
    centres = [rng.normal(size=EMBEDDING_DIMENSIONS) for _ in range(2)]
    for track in jellyfin.catalog.tracks:
        row = Track.objects.create(
            item_id=jellyfin.track_ids[track.key], title=track.title, author=track.artist, album=track.album
        )
        vector = centres[track.album_key] + 0.3 * rng.normal(size=EMBEDDING_DIMENSIONS)
        Embedding.objects.create(track=row, vector=vector, model_version="test")
    services.vector_index_rebuild()
