"""The orders the customer-value analyses read, as SQL for them to aggregate in PostgreSQL.

A customer is ``(kind, customer_id)``: ``("company", company_id)`` for an order with a company,
``("contact", contact_id)`` for one with only a contact. An order's value is its total net of tax in
the base currency, converted with the latest rate dated on or before its order date (null when no
rate covers it: such an order counts as a purchase but adds nothing to the amounts).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Case, DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from identity.models import User
from identity.visibility import restrict_to_visible, visible_owner_ids
from modules.contacts.models import Company, Contact, ExchangeRate
from modules.contacts.services.money import base_currency
from modules.sales.choices import OrderStatus
from modules.sales.models import Order

COMPANY, CONTACT = "company", "contact"
MONEY = DecimalField(max_digits=20, decimal_places=2)


def counted_orders(user: User | None = None, *, start: date | None = None, end: date | None = None) -> QuerySet[Order]:
    """Orders that count, between ``start`` and ``end`` (inclusive). With ``user``: only orders the
    user may see, of customers the user may see (the purchase history card's rule)."""
    orders = Order.objects.exclude(status=OrderStatus.CANCELLED).filter(
        Q(company__isnull=False) | Q(contact__isnull=False)
    )
    if start is not None:
        orders = orders.filter(ordered_on__gte=start)
    if end is not None:
        orders = orders.filter(ordered_on__lte=end)
    if user is not None and visible_owner_ids(user) is not None:
        orders = restrict_to_visible(orders, user).filter(
            Q(company__in=restrict_to_visible(Company.objects.all(), user))
            | Q(company__isnull=True, contact__in=restrict_to_visible(Contact.objects.all(), user))
        )
    return orders


def order_rows(orders: QuerySet[Order]) -> tuple[str, tuple[Any, ...]]:
    """SQL and parameters of one row per order: ``kind``, ``customer_id``, ``ordered_on``, ``value``."""
    rate = ExchangeRate.objects.filter(currency=OuterRef("currency"), valid_from__lte=OuterRef("ordered_on"))
    rate_value = Subquery(rate.order_by("-valid_from").values("rate")[:1])
    net = ExpressionWrapper(F("total") - F("tax_total"), output_field=MONEY)
    rows = orders.annotate(
        kind=Case(When(company__isnull=False, then=Value(COMPANY)), default=Value(CONTACT)),
        customer_id=Coalesce("company_id", "contact_id"),
        value=Case(
            When(currency=base_currency(), then=net),
            default=ExpressionWrapper(net * rate_value, output_field=MONEY),
            output_field=MONEY,
        ),
    ).values("kind", "customer_id", "ordered_on", "value")
    sql, params = rows.order_by().query.sql_with_params()
    return sql, tuple(params)


# The customer's name once ``customer_joins(alias)`` is in the FROM clause.
CUSTOMER_NAME_SQL = "COALESCE(customer_company.name, customer_contact.full_name)"


def customer_joins(alias: str) -> str:
    """Joins of each row of ``alias`` (with ``kind`` and ``customer_id``) to its company or contact."""
    return (
        f"LEFT JOIN {Company._meta.db_table} AS customer_company ON {alias}.kind = '{COMPANY}' "
        f"AND customer_company.id = {alias}.customer_id "
        f"LEFT JOIN {Contact._meta.db_table} AS customer_contact ON {alias}.kind = '{CONTACT}' "
        f"AND customer_contact.id = {alias}.customer_id"
    )
