"""Template filters of the order pages and timeline entries."""

from __future__ import annotations

from django import template

from modules.sales.choices import OrderStatus

register = template.Library()


@register.filter
def order_status_label(value: object) -> str:
    """The translated label of an order status value (the value itself when unknown)."""
    return str(OrderStatus(value).label) if value in OrderStatus.values else str(value or "")
