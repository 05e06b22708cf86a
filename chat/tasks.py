"""Celery tasks of the chat app."""
