"""The Celery application: queue `high` for orchestrators, `default` for children."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "audiomuse.settings")

app = Celery("audiomuse")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("high"), Queue("default"))
app.autodiscover_tasks()
