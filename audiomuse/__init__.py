"""AudioMuse: the Django project (settings, URLs, Celery app, launcher)."""

from audiomuse.celery import app as celery_app

__all__ = ["celery_app"]
