"""Where the shared test data lives: ``../shared`` beside the repository, or $AUDIOMUSE_SHARED_DIR.

It holds the outputs of the original musicnn graph (reference/) and the builder
of the real-music corpus (corpus/), which the parity and corpus tests need.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("AUDIOMUSE_SHARED_DIR") or REPO_DIR.parent / "shared")
REFERENCE_DIR = SHARED_DIR / "reference"
CORPUS_SCRIPT = SHARED_DIR / "corpus" / "build-corpus.sh"
