"""Typed readers for environment variables, used only by the settings module.

Each reader names the variable in its error, so a malformed value stops the
process at startup with a message a user can act on. A secret may also be
given as ``NAME_FILE`` (a path whose contents are the value), the convention
of Docker secrets.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is not None:
        return value.strip()
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_path}: {exc.strerror}") from exc
    return None


def is_set(name: str) -> bool:
    """True when the variable (or its ``_FILE`` twin) holds a non-empty value."""
    return bool(_raw(name))


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None or value == "" else value


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = _raw(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    _check_range(name, value, minimum, maximum)
    return value


def env_float(name: str, default: float, *, minimum: float | None = None, maximum: float | None = None) -> float:
    raw = _raw(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
    _check_range(name, value, minimum, maximum)
    return value


def _check_range(name: str, value: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, got {value}")


def env_bool(name: str, default: bool) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list; blanks are dropped."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def env_path(name: str, default: Path) -> Path:
    return Path(env_str(name, str(default))).expanduser().resolve()


def env_url(name: str, default: str = "", *, schemes: tuple[str, ...]) -> str:
    """A URL whose scheme is one of ``schemes``; empty stays empty."""
    value = env_str(name, default)
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in schemes or not (parts.netloc or parts.path):
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}, got {_mask(value)!r}"
        )
    return value


def env_database(name: str) -> dict:
    """Django DATABASES entry from a ``postgres://`` URL in ``name``."""
    url = env_url(name, schemes=("postgres", "postgresql", "pgsql"))
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises a zoo of types on bad URLs
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from exc
    # A unix socket directory may be given percent-encoded as the host, or as ?host=.
    config["HOST"] = unquote(str(config.get("HOST") or config.get("OPTIONS", {}).pop("host", "")))
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database, e.g. postgres://user:pass@host:5432/audiomuse")
    return config


def _mask(url: str) -> str:
    """The URL with any password replaced, safe to print."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url
