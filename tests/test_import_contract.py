"""The import-linter contracts really reject Django in framework-free packages and upward imports between apps."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infrastructure import REPO_DIR

FRAMEWORK_FREE = ("analysis/audio", "clustering/engine", "similarity/engine")

APPS = (
    "audiomuse",
    "chat",
    "clustering",
    "similarity",
    "playlists",
    "analysis",
    "mediaservers",
    "scheduling",
    "common",
)


def copy_apps(destination: Path) -> None:
    for package in APPS:
        shutil.copytree(REPO_DIR / package, destination / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_DIR / "pyproject.toml", destination / "pyproject.toml")


def lint_imports(directory: Path) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    return subprocess.run(
        command, cwd=directory, capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(directory)}
    )


@pytest.mark.parametrize("package", FRAMEWORK_FREE)
def test_importing_django_in_a_framework_free_package_breaks_the_contract(tmp_path, package):
    copy_apps(tmp_path)
    (tmp_path / package / "sneaky.py").write_text("from django.conf import settings\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout or "broken" in result.stdout
    assert f"{package.replace('/', '.')}.sneaky -> django" in result.stdout


def test_contracts_are_kept_by_the_current_code(tmp_path):
    copy_apps(tmp_path)
    result = lint_imports(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("lower", "higher"),
    [("analysis", "similarity"), ("common", "analysis"), ("scheduling", "audiomuse"), ("playlists", "clustering")],
)
def test_a_lower_app_importing_a_higher_one_breaks_the_layers_contract(tmp_path, lower, higher):
    copy_apps(tmp_path)
    (tmp_path / lower / "sneaky.py").write_text(f"import {higher}\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert f"{lower} is not allowed to import {higher}" in result.stdout
    assert f"{lower}.sneaky -> {higher}" in result.stdout
