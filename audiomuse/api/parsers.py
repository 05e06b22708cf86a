"""Request bodies, read one way on every route: a body that cannot be read is never taken for ``{}``.

Not valid JSON (or not UTF-8) -> 400 ``{"error": "Request body is not valid JSON"}``; larger than
DATA_UPLOAD_MAX_MEMORY_SIZE -> 413 (audiomuse.api.middleware refuses a declared length before any
view runs; this catches bodies that arrive without one); a NUL character in any string -> 400.
An empty body stays an empty ``{}``.
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant

from common.api.params import reject_nul

INVALID_JSON = "Request body is not valid JSON"


class RequestBodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large"


def body_too_large_message() -> str:
    return f"Request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes"


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # None: Django's way of saying no limit
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestBodyTooLarge(body_too_large_message())
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding), parse_constant=strict_constant)
            reject_nul(data)
        # UnicodeDecodeError is a ValueError; LookupError: an unknown charset; RecursionError: "[[[[..." nested
        # deeper than Python can follow.
        except (ValueError, LookupError, RecursionError) as exc:
            raise exceptions.ParseError(INVALID_JSON) from exc
        return data
