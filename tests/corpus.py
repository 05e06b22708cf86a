"""Real music for tests: ten public corpus tracks, built on demand.

The corpus (../shared/corpus/README.md) is assembled from Debian game-music
packages by ../shared/corpus/build-corpus.sh. Tests use only tracks listed in
its public.txt. ``corpus_dir`` is $AUDIOMUSE_CORPUS_DIR when set (e.g. a full
build), else <repo>/var/corpus; when any of CORPUS_TRACKS is missing there, it
builds the three packages that hold them (~186 MB of .deb downloads through
``apt-get download``, about a minute) with every other package skipped.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.shared_data import CORPUS_SCRIPT

REPO_DIR = Path(__file__).resolve().parent.parent
PUBLIC_LIST = CORPUS_SCRIPT.parent / "public.txt"
BUILD_TIMEOUT_SECONDS = 1800


@dataclass(frozen=True)
class CorpusTrack:
    relpath: str
    style: str  # the corpus' style_label
    package: str


_WESNOTH = "wesnoth-1.16-music"
_MULDJORD = "fretsonfire-songs-muldjord"
_RROOTAGE = "rrootage-data"
# The first public track of four Wesnoth composers, every public track of the
# death-metal Frets on Fire album and of the smallest ABA Games package.
CORPUS_TRACKS = (
    CorpusTrack("Aleksi Aubry-Carlson/The Battle for Wesnoth/02 - Battle Music.ogg", "orchestral", _WESNOTH),
    CorpusTrack("Doug Kaufman/The Battle for Wesnoth/08 - Heroes Rite.ogg", "orchestral", _WESNOTH),
    CorpusTrack("Gianmarco Leone/The Battle for Wesnoth/27 - The Dangerous Symphony.ogg", "orchestral", _WESNOTH),
    CorpusTrack("Jeremy Nicoll/The Battle for Wesnoth/19 - Nunc Dimittis.ogg", "orchestral", _WESNOTH),
    CorpusTrack("Muldjord/Frets on Fire - Muldjord Songs/01 - Armygeddon.ogg", "rock-metal", _MULDJORD),
    CorpusTrack("Muldjord/Frets on Fire - Muldjord Songs/03 - Internal Degeneration.ogg", "rock-metal", _MULDJORD),
    CorpusTrack("Muldjord/Frets on Fire - Muldjord Songs/04 - Mutilated Mime.ogg", "rock-metal", _MULDJORD),
    CorpusTrack("Kenta Cho (ABA Games)/rRootage/01 - rRootage stg_a.ogg", "electronic", _RROOTAGE),
    CorpusTrack("Kenta Cho (ABA Games)/rRootage/02 - rRootage stg_b.ogg", "electronic", _RROOTAGE),
    CorpusTrack("Kenta Cho (ABA Games)/rRootage/03 - rRootage stg_c.ogg", "electronic", _RROOTAGE),
)
SUBSET_PACKAGES = frozenset(track.package for track in CORPUS_TRACKS)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """A corpus directory holding every CORPUS_TRACKS file (built here if needed)."""
    # The one environment variable of the test suite: where a prebuilt corpus lives.
    target = Path(os.environ.get("AUDIOMUSE_CORPUS_DIR") or REPO_DIR / "var" / "corpus")
    if missing_tracks(target):
        build_corpus_subset(target)
    still_missing = missing_tracks(target)
    if still_missing:
        pytest.fail(f"corpus tracks missing from {target} after building: {still_missing}")
    return target


def missing_tracks(corpus_dir: Path) -> list[str]:
    return [track.relpath for track in CORPUS_TRACKS if not (corpus_dir / track.relpath).is_file()]


def build_corpus_subset(target: Path) -> None:
    """Run build-corpus.sh into ``target`` with every package but SUBSET_PACKAGES skipped."""
    if not CORPUS_SCRIPT.is_file():
        pytest.fail(f"corpus builder not found at {CORPUS_SCRIPT}; set AUDIOMUSE_CORPUS_DIR to a built corpus")
    skipped = sorted(corpus_packages() - SUBSET_PACKAGES)
    target.mkdir(parents=True, exist_ok=True)
    # The script needs a python3 with numpy and soundfile: this one has both.
    environment = {**os.environ, "SKIP_PACKAGES": " ".join(skipped), "PYTHON": sys.executable}
    result = subprocess.run(
        ["bash", str(CORPUS_SCRIPT), str(target)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"building the test corpus in {target} failed:\n{result.stderr[-3000:]}")


def corpus_packages() -> set[str]:
    """Every package in the builder's manifest (first column of its here-document)."""
    script = CORPUS_SCRIPT.read_text()
    manifest = re.search(r"<<'MANIFEST_EOF'\n(.*?)\nMANIFEST_EOF", script, flags=re.DOTALL)
    if manifest is None:
        pytest.fail(f"cannot find the track manifest in {CORPUS_SCRIPT}")
    return {line.split("\t", 1)[0] for line in manifest.group(1).splitlines() if line.strip()}


def public_relpaths() -> set[str]:
    return set(PUBLIC_LIST.read_text(encoding="utf-8").splitlines())
