"""Static files we take from installed Python packages instead of a CDN.

The pages must work on a LAN without internet access, so the charting library
is served by us. The ``plotly`` wheel (requirements/models.txt) carries the
plotly.js bundle; only that one file is exposed, as ``vendor/plotly.min.js``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.utils import matches_patterns
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

VENDOR_PREFIX = "vendor"
PLOTLY_FILE_NAME = "plotly.min.js"
PLOTLY_STATIC_PATH = f"{VENDOR_PREFIX}/{PLOTLY_FILE_NAME}"


def plotly_package_data_dir() -> Path | None:
    """The wheel's ``package_data`` folder, found without importing plotly (its import is slow and unneeded)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "package_data"


class PlotlyFinder(finders.BaseFinder):
    """Serves ``vendor/plotly.min.js`` from the installed plotly package, and nothing else of it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.location = plotly_package_data_dir()
        self.storage = None
        if self.location is not None:
            self.storage = FileSystemStorage(location=self.location)
            # collectstatic copies a listed file to `<storage.prefix>/<path>`.
            self.storage.prefix = VENDOR_PREFIX

    def check(self, **kwargs):
        if self._source_file() is not None:
            return []
        return [
            Error(
                f"plotly.js is missing: the pages' charts need {PLOTLY_FILE_NAME} from the plotly package.",
                hint="Install it with: pip install --no-deps -r requirements/models.txt",
                id="audiomuse.E001",
            )
        ]

    def find(self, path, find_all=False, **kwargs):
        """The file's absolute path (a one-item list when ``find_all``); ``[]`` for any other path."""
        if kwargs:  # the ``all`` keyword Django still accepts until 6.1
            find_all = self._check_deprecated_find_param(find_all=find_all, **kwargs)
        if self.location is not None and str(self.location) not in finders.searched_locations:
            finders.searched_locations.append(str(self.location))  # what `findstatic -v 2` reports
        source = self._source_file() if path == PLOTLY_STATIC_PATH else None
        if source is None:
            return []
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):
        if self._source_file() is not None and not matches_patterns(PLOTLY_FILE_NAME, ignore_patterns or ()):
            yield PLOTLY_FILE_NAME, self.storage

    def _source_file(self) -> Path | None:
        if self.location is None:
            return None
        source = self.location / PLOTLY_FILE_NAME
        return source if source.is_file() else None
