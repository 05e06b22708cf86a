"""The one reader of Django settings for the apps.

Every default lives in ``audiomuse/settings.py``. An app asks for a setting by
name and gets its value, or ``ImproperlyConfigured`` naming it when the
settings module does not define it, so a mistyped name fails at once instead
of quietly falling back to a second default.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def setting(name: str) -> Any:
    """The value of the setting ``name``, read now (tests may override settings between calls)."""
    try:
        return getattr(settings, name)
    except AttributeError:
        raise ImproperlyConfigured(f"The setting {name} is not defined in audiomuse/settings.py") from None
