"""Celery tasks of the analysis app."""
