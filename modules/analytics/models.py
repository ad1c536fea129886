"""The analytics module's tables, one module per analysis, re-exported for Django's app registry."""

from modules.analytics.basket.models import BasketRule, BasketSettings
from modules.analytics.warehouse.models import WarehouseExport

__all__ = ["BasketRule", "BasketSettings", "WarehouseExport"]
