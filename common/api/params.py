"""Loose input parsing, as AudioMuse-AI clients expect.

Booleans may be true/false/1/0/yes/no strings; numbers out of range are
clamped; anything unparsable falls back to the default instead of failing.
"""

from __future__ import annotations

from typing import Any

_TRUE = {"1", "true", "yes", "on", "y"}
_FALSE = {"0", "false", "no", "off", "n"}


def int_param(value: Any, default: int | None, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return default
    if minimum is not None:
        number = max(minimum, number)
    if maximum is not None:
        number = min(maximum, number)
    return number


def bool_param(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if value is not None else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return default


def request_data(request) -> dict:
    """The JSON body (or form) as a dict; a missing or non-object body is {}."""
    try:
        data = request.data
    except Exception:  # a malformed body on an endpoint whose inputs are all optional
        return {}
    return dict(data) if hasattr(data, "keys") else {}
