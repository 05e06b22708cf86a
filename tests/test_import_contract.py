"""The import-linter contract really rejects Django inside framework-free packages."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infrastructure import REPO_DIR

FRAMEWORK_FREE = ("analysis/audio", "clustering/engine", "similarity/engine")


def copy_framework_free_tree(destination: Path) -> None:
    for package in FRAMEWORK_FREE:
        shutil.copytree(REPO_DIR / package, destination / package, ignore=shutil.ignore_patterns("__pycache__"))
        (destination / package).parent.joinpath("__init__.py").touch()
    shutil.copy(REPO_DIR / "pyproject.toml", destination / "pyproject.toml")


def lint_imports(directory: Path) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    return subprocess.run(
        command, cwd=directory, capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(directory)}
    )


def test_contract_is_kept_by_the_current_code(tmp_path):
    copy_framework_free_tree(tmp_path)
    result = lint_imports(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("package", FRAMEWORK_FREE)
def test_importing_django_in_a_framework_free_package_breaks_the_contract(tmp_path, package):
    copy_framework_free_tree(tmp_path)
    (tmp_path / package / "sneaky.py").write_text("from django.conf import settings\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout or "broken" in result.stdout
    assert f"{package.replace('/', '.')}.sneaky -> django" in result.stdout
