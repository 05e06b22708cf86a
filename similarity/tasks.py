"""Celery tasks of the similarity app."""
