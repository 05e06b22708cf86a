"""Celery tasks of the mediaservers app."""
