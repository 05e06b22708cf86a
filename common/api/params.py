"""Loose input parsing, as AudioMuse-AI clients expect, with a few hard limits.

Booleans may be true/false/1/0/yes/no strings; numbers out of range are
clamped; anything unparsable falls back to the default instead of failing.
What can never be answered is a 400 (InvalidParameter) before anything is
read or written: an infinite number, and text holding a NUL character (no
PostgreSQL text column can store one).
"""

from __future__ import annotations

import math
from typing import Any

from rest_framework import exceptions, status

_TRUE = {"1", "true", "yes", "on", "y"}
_FALSE = {"0", "false", "no", "off", "n"}
NUL = "\x00"


class InvalidParameter(exceptions.APIException):
    """A request parameter no default or clamp can make sense of (400); the message is shown to the user."""

    status_code = status.HTTP_400_BAD_REQUEST


def int_param(value: Any, default: int | None, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """An int from loose input; unparsable or NaN -> default, out of range -> clamped, infinite -> 400."""
    number = _finite_float(value)
    if number is None:
        return default
    result = int(number)
    if minimum is not None:
        result = max(minimum, result)
    if maximum is not None:
        result = min(maximum, result)
    return result


def float_param(value: Any, default: float, *, minimum: float | None = None) -> float:
    """A float from loose input; unparsable or NaN -> default, below ``minimum`` -> minimum, infinite -> 400."""
    number = _finite_float(value)
    if number is None:
        return default
    return number if minimum is None else max(minimum, number)


def _finite_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int too large for a float
        return None
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise InvalidParameter(f"Numbers must be finite, got {str(value)[:20]!r}")
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


def text_param(value: Any) -> str:
    """Loose text (None -> ""), stripped; a NUL character -> 400."""
    text = str(value if value is not None else "").strip()
    reject_nul(text)
    return text


def reject_nul(value: Any) -> None:
    """400 when ``value`` (a str, or any JSON document) holds a NUL character in a key or a string."""
    if isinstance(value, str):
        if NUL in value:
            raise InvalidParameter("Text must not contain NUL characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            reject_nul(key)
            reject_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            reject_nul(item)


def request_data(request) -> dict:
    """The JSON body (or form) as a dict; a missing or empty body is {}.

    A body that is not JSON is a 400 and one over the size limit a 413 (audiomuse.api.parsers);
    valid JSON that is not an object is a 400 too.
    """
    data = request.data
    if not hasattr(data, "keys"):
        raise InvalidParameter("Request body must be a JSON object")
    return dict(data)
