"""Project wiring: settings, URL roots, the Celery app, Sentry and the local runtime."""

from .celery import app as celery_app

__all__ = ["celery_app"]
