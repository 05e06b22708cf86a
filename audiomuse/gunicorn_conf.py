"""gunicorn hooks: each web process loads the vector index as it starts."""

import logging


def post_worker_init(worker):
    from similarity.errors import IndexNotReady
    from similarity.index_manager import index_manager

    try:
        index_manager.current()
    except IndexNotReady:
        logging.getLogger(__name__).info("similarity.index.absent_at_start")
