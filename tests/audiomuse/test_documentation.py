"""Every environment variable the settings read is documented for users."""

import re

from tests.infrastructure import REPO_DIR

_READERS = r'(?:env_[a-z]+|is_set|_persistent_secret)\("([A-Z][A-Z0-9_]+)"'


def settings_variables() -> set[str]:
    source = (REPO_DIR / "audiomuse" / "settings.py").read_text()
    return set(re.findall(_READERS, source))


def test_settings_read_variables_at_all():
    assert {"DATABASE_URL", "REDIS_URL", "MEDIASERVER_TYPE"} <= settings_variables()


def test_every_variable_is_in_env_example():
    documented = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", (REPO_DIR / ".env.example").read_text(), re.MULTILINE))
    assert settings_variables() - documented == set()


def test_every_variable_is_in_the_readme():
    readme = (REPO_DIR / "README.md").read_text()
    missing = {name for name in settings_variables() if f"`{name}`" not in readme}
    assert missing == set()
