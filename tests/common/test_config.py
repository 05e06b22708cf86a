"""Apps read settings through one reader: every default lives in the settings module, a wrong name fails."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from clustering.config import clustering_config_from_settings
from common.config import setting
from similarity.config import similarity_config
from tests.infrastructure import REPO_DIR

APPS = ("analysis", "chat", "clustering", "common", "mediaservers", "scheduling", "similarity")


def test_a_defined_setting_is_read_as_it_is_now(settings):
    settings.MAX_SONGS_PER_ARTIST = 7
    assert setting("MAX_SONGS_PER_ARTIST") == 7


def test_a_mistyped_setting_name_fails_naming_it():
    with pytest.raises(ImproperlyConfigured, match="MAX_SONGS_PER_ARTSIT"):
        setting("MAX_SONGS_PER_ARTSIT")


@pytest.mark.parametrize("read", [similarity_config, clustering_config_from_settings])
def test_a_setting_missing_from_the_settings_module_fails_instead_of_falling_back(settings, read):
    del settings.MAX_SONGS_PER_ARTIST
    with pytest.raises(ImproperlyConfigured, match="MAX_SONGS_PER_ARTIST"):
        read()


def test_no_app_reads_a_setting_with_a_default_of_its_own():
    pattern = re.compile(r"getattr\(\s*settings\s*,[^,)]+,")  # getattr(settings, NAME, default)
    offenders = [
        str(path.relative_to(REPO_DIR))
        for app in APPS
        for path in (REPO_DIR / app).rglob("*.py")
        if pattern.search(path.read_text())
    ]
    assert offenders == []
