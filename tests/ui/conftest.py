"""Fixtures for the pages: a local-folder music library, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import UserFactory

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STAFF_PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password


@pytest.fixture
def music_dir(local_music_dir) -> Path:
    """An empty local-folder library the app reads (MEDIASERVER_TYPE=local)."""
    return local_music_dir


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one test module, stopped when the module ends."""
    if not Path(CHROMIUM_PATH).exists():
        pytest.skip("Chromium is missing: run tests/install_test_servers.sh")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an asyncio loop registered on this thread, which makes
        # Django refuse ORM calls from the test itself; the live server and worker have their own threads.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def staff_page(browser, live_server, transactional_db):
    """A browser page logged in as staff through the login form, on the dashboard."""
    UserFactory(username="owner", is_staff=True, is_superuser=True)
    context = browser.new_context(viewport={"width": 1100, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login")
    page.fill("#id_username", "owner")
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    yield page
    context.close()


@pytest.fixture
def listener_page(browser, live_server, transactional_db):
    """A browser page logged in through the login form as a user without staff rights."""
    UserFactory(username="listener")
    context = browser.new_context(viewport={"width": 1100, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login")
    page.fill("#id_username", "listener")
    page.fill("#id_password", STAFF_PASSWORD)  # the factory gives every user this password
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    yield page
    context.close()
