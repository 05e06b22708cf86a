"""Limits that only web processes have: a database statement may not outrun a request."""

from __future__ import annotations

from django.db import connections

from common.config import setting

# PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout.
QUERY_CANCELED = "57014"


def web_statement_timeout_apply() -> None:
    """Give every database connection this process opens from now on the web statement timeout.

    Runs in each gunicorn process before it serves a request; each thread's connection is made from
    the same settings, so the limit holds on every thread.
    """
    seconds = setting("WEB_STATEMENT_TIMEOUT_SECONDS")
    if not seconds:
        return
    options = connections["default"].settings_dict.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c statement_timeout={int(seconds * 1000)}".strip()


def is_statement_timeout(error: BaseException) -> bool:
    """Whether a database error is a statement cancelled by the timeout."""
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == QUERY_CANCELED
