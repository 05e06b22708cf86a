"""Celery tasks of the scheduling app."""
