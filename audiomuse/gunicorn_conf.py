"""gunicorn settings and hooks for the web role (``manage.py run web``).

Each process serves requests on several threads, so one slow request (a large alchemy blend, a
media-server call) never keeps /api/health or other listeners waiting; the processes come from
AUDIOMUSE_WEB_WORKERS, the threads from the machine. Each process loads the vector index as it starts.
"""

from __future__ import annotations

import logging
import os
import re

from gunicorn.glogging import Logger

worker_class = "gthread"
threads = max(4, 2 * (os.cpu_count() or 1))
# A process whose main loop stays silent this long (seconds) is killed and replaced.
timeout = 120
# gunicorn's own limit (it answers longer request lines with its plain-text 400 before Django runs):
# its maximum, room for a request line carrying a couple of hundred 32-hex ids.
limit_request_line = 8190

# Query parameters whose value must never reach a log: tokens, API keys, passwords and the like.
_SECRET_PARAMETER = re.compile(
    r"(?P<name>(?:^|(?<=[?&;]))[^=&;?\s]*(?:token|key|pass|secret|auth|credential|session|signature)[^=&;\s]*)"
    r"=[^&;#\s]*",
    re.IGNORECASE,
)


def redact_secrets(text: str) -> str:
    """``text`` (a query string or a URL) with the values of secret-looking parameters replaced by ``***``."""
    return _SECRET_PARAMETER.sub(r"\g<name>=***", text) if text else text


class RedactingLogger(Logger):
    """The access log without secrets sent in query strings (``?api_key=...``, ``?navidrome_password=...``)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "q", "f"):
            if isinstance(atoms.get(name), str):
                atoms[name] = redact_secrets(atoms[name])
        return atoms


logger_class = RedactingLogger


def post_worker_init(worker):
    # gunicorn reads this file before Django is set up; app modules load once the worker has loaded Django.
    from django.db import DatabaseError

    from audiomuse.web_limits import web_statement_timeout_apply
    from similarity.errors import IndexNotReady
    from similarity.index_manager import index_manager

    web_statement_timeout_apply()
    try:
        index_manager.current()
    except IndexNotReady:
        logging.getLogger(__name__).info("similarity.index.absent_at_start")
    except DatabaseError as exc:  # the first request that needs the index loads it; health answers meanwhile
        logging.getLogger(__name__).warning("similarity.index.not_loaded_at_start", extra={"error": str(exc)})
