"""Celery tasks of the clustering app: none of its own; its job runs on the scheduling app's tasks."""
