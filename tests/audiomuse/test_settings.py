"""Bad configuration stops the process at startup, naming the variable."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from audiomuse import env
from tests.infrastructure import REPO_DIR


def run_manage(extra_env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **extra_env}
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=REPO_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REDIS_URL", "nonsense"),
        ("POSTGRES_PORT", "abc"),
        ("DATABASE_URL", "mysql://x@y/z"),
        ("MEDIASERVER_TYPE", "winamp"),
        ("AUDIOMUSE_WEB_WORKERS", "many"),
        ("DEBUG", "perhaps"),
        ("JELLYFIN_URL", "jellyfin.local"),
        ("AI_MODEL_PROVIDER", "skynet"),
    ],
)
def test_malformed_value_fails_in_one_line_naming_the_variable(variable, value):
    result = run_manage({variable: value}, "check")
    assert result.returncode != 0
    assert variable in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_well_formed_configuration_passes_the_check():
    result = run_manage({}, "check")
    assert result.returncode == 0, result.stderr


def test_secret_can_come_from_a_file(tmp_path, monkeypatch):
    secret_file = tmp_path / "token"
    secret_file.write_text("from-a-file\n")
    monkeypatch.delenv("JELLYFIN_TOKEN", raising=False)
    monkeypatch.setenv("JELLYFIN_TOKEN_FILE", str(secret_file))
    assert env.env_str("JELLYFIN_TOKEN") == "from-a-file"


def test_unreadable_secret_file_names_the_variable(monkeypatch):
    monkeypatch.delenv("JELLYFIN_TOKEN", raising=False)
    monkeypatch.setenv("JELLYFIN_TOKEN_FILE", "/nonexistent/token")
    with pytest.raises(ImproperlyConfigured, match="JELLYFIN_TOKEN_FILE"):
        env.env_str("JELLYFIN_TOKEN")


def test_readers_parse_and_range_check(monkeypatch):
    monkeypatch.setenv("X_INT", "7")
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env.env_int("X_INT", 1) == 7
    assert env.env_bool("X_BOOL", False) is True
    assert env.env_list("X_LIST") == ["a", "b", "c"]
    with pytest.raises(ImproperlyConfigured, match="X_INT must be at most 5"):
        env.env_int("X_INT", 1, maximum=5)


def test_unix_socket_database_url_is_understood(monkeypatch):
    monkeypatch.setenv("X_DB", "postgresql://postgres@%2Ftmp%2Fpg/audiomuse")
    config = env.env_database("X_DB")
    assert config["HOST"] == "/tmp/pg"
    assert config["NAME"] == "audiomuse"


def test_socket_directory_as_host_query_parameter(monkeypatch):
    monkeypatch.setenv("X_DB", "postgresql://postgres@/audiomuse?host=/run/pg")
    assert env.env_database("X_DB")["HOST"] == "/run/pg"


def test_processes_starting_together_agree_on_generated_secrets(tmp_path):
    # A container's web, worker and beat share one data volume and start at once.
    probe = "from django.conf import settings; print(settings.SECRET_KEY, settings.API_TOKEN)"
    environment = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "API_TOKEN")}
    environment.update(AUDIOMUSE_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="audiomuse.settings")
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", f"import django; django.setup(); {probe}"],
            cwd=REPO_DIR,
            env=environment,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    answers = {process.communicate(timeout=120)[0].strip() for process in starts}
    assert len(answers) == 1, answers
    secret_key, api_token = answers.pop().split()
    assert (tmp_path / "secret_key").read_text() == secret_key
    assert (tmp_path / "api_token").read_text() == api_token
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == []
