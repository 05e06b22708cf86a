"""Celery tasks of the clustering app."""
