"""The module's Celery tasks, where Celery's autodiscovery looks for them (one module per analysis)."""

from modules.analytics.basket.tasks import refresh_all_baskets

__all__ = ["refresh_all_baskets"]
