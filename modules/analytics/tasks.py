"""The module's Celery tasks, where Celery's autodiscovery looks for them (one module per analysis)."""

from modules.analytics.basket.tasks import refresh_all_baskets
from modules.analytics.warehouse.tasks import build_warehouse_export

__all__ = ["build_warehouse_export", "refresh_all_baskets"]
