"""The similarity pages through Django's test client, and plotly.js served from our own static files."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.utils.deprecation import RemovedInDjango61Warning

from audiomuse.static_finders import PLOTLY_STATIC_PATH, PlotlyFinder

pytestmark = pytest.mark.django_db

# path -> (nav link text, whether the page draws a Plotly chart)
PAGES = {
    "/similar": ("Similar Song", False),
    "/path": ("Song Path", True),
    "/alchemy": ("Alchemy", True),
    "/fingerprint": ("Sonic Fingerprint", False),
}
PLOTLY_SCRIPT = '<script src="/static/vendor/plotly.min.js" defer></script>'
# A script loaded from another host: absolute (http://, https://) or protocol-relative (//).
REMOTE_SCRIPT = re.compile(r"<script[^>]*\ssrc=[\"']?(https?:)?//", re.IGNORECASE)
SCRIPT_SOURCE = re.compile(r"<script[^>]*\ssrc=[\"']([^\"']+)", re.IGNORECASE)


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == f"/login?next={path}"


@pytest.mark.parametrize("path", PAGES)
def test_any_logged_in_user_gets_the_page_with_the_shared_layout(client, plain_user, path):
    client.force_login(plain_user)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "similarity/tool_page.html" in [template.name for template in response.templates]
    assert 'name="csrf-token"' in html
    assert html.index("/static/similarity/song_tools.js") < html.index(f"/static/similarity{path}.js")
    assert "/static/similarity/song_tools.css" in html
    assert REMOTE_SCRIPT.search(html) is None
    draws_chart = PAGES[path][1]
    assert (PLOTLY_SCRIPT in html) is draws_chart


def nav_link(html: str, path: str, label: str) -> re.Match | None:
    return re.search(rf'<a href="{path}"\s*(class="current")?\s*>{label}</a>', html)


def test_the_navigation_links_every_page_to_every_user_and_marks_the_current_one(client, plain_user, staff_user):
    for user in (plain_user, staff_user):
        client.force_login(user)
        dashboard = client.get("/").content.decode()
        for path, (label, _) in PAGES.items():
            link = nav_link(dashboard, path, label)
            assert link is not None and link.group(1) is None
            page = client.get(path).content.decode()
            assert nav_link(page, path, label).group(1) == 'class="current"'
            assert nav_link(page, "/", "Dashboard").group(1) is None


def test_similar_song_form_starts_at_the_settings_defaults(client, plain_user, settings):
    settings.MAX_SONGS_PER_ARTIST = 4
    settings.SIMILARITY_ELIMINATE_DUPLICATES_DEFAULT = False
    settings.SIMILARITY_RADIUS_DEFAULT = True
    client.force_login(plain_user)
    html = client.get("/similar").content.decode()
    assert 'role="combobox"' in html and 'aria-controls="seed_song-suggestions"' in html
    assert 'name="n" min="1" max="500" value="10"' in html
    assert '<input type="checkbox" name="eliminate_duplicates" >' in html
    assert "At most 4 songs per artist" in html
    assert '<input type="checkbox" name="radius_similarity" checked>' in html
    assert "data-playlist-form hidden" in html
    assert "data-origin" not in html  # the server decides a playlist's origin


def test_song_path_and_alchemy_forms_start_at_the_settings_defaults(client, plain_user, settings):
    settings.PATH_DEFAULT_LENGTH, settings.PATH_FIX_SIZE = 12, True
    settings.ALCHEMY_DEFAULT_N_RESULTS, settings.ALCHEMY_MAX_N_RESULTS = 300, 150  # the default is capped too
    settings.ALCHEMY_TEMPERATURE, settings.ALCHEMY_SUBTRACT_DISTANCE_ANGULAR = 0.5, 0.35
    client.force_login(plain_user)

    path_page = client.get("/path").content.decode()
    assert 'name="max_steps" min="2" max="200" value="12"' in path_page
    assert '<input type="checkbox" name="path_fix_size" checked>' in path_page
    assert 'aria-controls="start_song-suggestions"' in path_page and 'aria-controls="end_song-suggestions"' in path_page

    alchemy_page = client.get("/alchemy").content.decode()
    assert 'name="n" min="1" max="150" value="150"' in alchemy_page
    assert 'name="temperature" min="0" step="0.1" value="0.5"' in alchemy_page
    assert 'min="0" max="1" step="0.01" value="0.35"' in alchemy_page
    assert 'data-field="subtract-distance-value">0.35</output>' in alchemy_page


@pytest.mark.parametrize(
    ("server_type", "fields"),
    [
        ("jellyfin", {"jellyfin_user_identifier", "jellyfin_token"}),
        ("emby", {"jellyfin_user_identifier", "jellyfin_token"}),
        ("navidrome", {"navidrome_user", "navidrome_password"}),
        ("local", set()),
        ("mpd", set()),
    ],
)
def test_fingerprint_offers_the_credentials_the_server_type_accepts(client, plain_user, settings, server_type, fields):
    settings.MEDIASERVER_TYPE = server_type
    client.force_login(plain_user)
    html = client.get("/fingerprint").content.decode()
    offered = set(re.findall(r'name="((?:jellyfin|navidrome)_\w+)"', html))
    assert offered == fields
    assert ('data-field="server-note"' in html) == (not fields)
    assert 'type="password" id="jellyfin_token"' in html or "jellyfin_token" not in fields


def test_no_page_loads_a_script_from_another_host(client, staff_user):
    client.force_login(staff_user)
    for path in ("/", *PAGES):
        html = client.get(path).content.decode()
        assert REMOTE_SCRIPT.search(html) is None, path
        script_sources = SCRIPT_SOURCE.findall(html)
        assert script_sources, path
        assert all(source.startswith("/static/") for source in script_sources), (path, script_sources)


# -- plotly.js as a static file ----------------------------------------------------------------


def test_the_finder_serves_plotly_min_js_from_the_installed_package():
    found = finders.find(PLOTLY_STATIC_PATH)
    assert found is not None
    source = Path(found)
    assert source.parts[-3:] == ("plotly", "package_data", "plotly.min.js")
    assert source.read_bytes()[:200].decode().find("plotly.js v") > 0
    assert finders.find(PLOTLY_STATIC_PATH, find_all=True) == [found]
    with pytest.warns(RemovedInDjango61Warning):  # the keyword Django 5.2 still accepts
        assert PlotlyFinder().find(PLOTLY_STATIC_PATH, all=True) == [found]


@pytest.mark.parametrize(
    "path", ["vendor/widgetbundle.js", "plotly.min.js", "vendor/plotly.js", "vendor/../plotly.min.js"]
)
def test_the_finder_exposes_nothing_else_of_the_package(path):
    finder = PlotlyFinder()
    assert finder.find(path) == []
    assert finder.find(path, find_all=True) == []


def test_the_finder_lists_one_file_and_honours_ignore_patterns():
    finder = PlotlyFinder()
    assert [(path, storage.prefix) for path, storage in finder.list([])] == [("plotly.min.js", "vendor")]
    assert [path for path, _ in finder.list(None)] == ["plotly.min.js"]  # whitenoise's finder scan passes None
    assert list(finder.list(["*.js"])) == []
    assert finder.check() == []


def test_a_plotly_package_without_the_bundle_fails_the_system_check(monkeypatch, tmp_path):
    monkeypatch.setattr("audiomuse.static_finders.plotly_package_data_dir", lambda: tmp_path)
    finder = PlotlyFinder()
    assert finder.find(PLOTLY_STATIC_PATH) == []
    assert list(finder.list([])) == []
    [error] = finder.check()
    assert error.id == "audiomuse.E001" and "requirements/models.txt" in error.hint


def test_collectstatic_with_the_production_storage_copies_plotly_and_nothing_else_of_it(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)

    collected = {path.relative_to(settings.STATIC_ROOT).as_posix() for path in settings.STATIC_ROOT.rglob("*")}
    vendor = sorted(path for path in collected if path.startswith("vendor/"))
    assert "vendor/plotly.min.js" in vendor
    assert all(re.fullmatch(r"vendor/plotly\.min(\.[0-9a-f]{12})?\.js(\.gz)?", path) for path in vendor), vendor
    assert not [path for path in collected if "widgetbundle" in path or path.startswith(("datasets", "templates"))]
    hashed = staticfiles_storage.stored_name(PLOTLY_STATIC_PATH)
    assert re.fullmatch(r"vendor/plotly\.min\.[0-9a-f]{12}\.js", hashed)
    assert (settings.STATIC_ROOT / hashed).stat().st_size == Path(finders.find(PLOTLY_STATIC_PATH)).stat().st_size
