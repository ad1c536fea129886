"""Reading orders: the visible ones, the list's filters and sorts, and a customer's purchase history
(computed in the database: a fixed number of queries whatever the number of orders)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.http import QueryDict

from core.input_bounds import moment_problem, value_problem
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.contacts.models import ExchangeRate
from modules.contacts.services.money import base_currency
from modules.sales.choices import OrderStatus
from modules.sales.models import Order, OrderLine

# ?sort= value → (column, descending)
ORDER_SORTS: dict[str, tuple[str, bool]] = {
    "-ordered": ("ordered_on", True),
    "ordered": ("ordered_on", False),
    "-total": ("total", True),
    "total": ("total", False),
    "number": ("number", False),
    "-updated": ("updated_at", True),
}
RECENT_ORDERS = 5
PLACED = "placed"  # the list's status parameter for every order but the cancelled ones
CENT = Decimal("0.01")


def visible_orders(user: User) -> QuerySet[Order]:
    return restrict_to_visible(Order.objects.all(), user)


def _date(params: QueryDict, name: str) -> date | None:
    try:
        value = date.fromisoformat(params.get(name, "").strip())
    except ValueError:
        return None
    return None if moment_problem(value) else value


def filter_orders(orders: QuerySet[Order], params: QueryDict) -> QuerySet[Order]:
    """``orders`` narrowed by the list's parameters; values that are not valid are ignored."""
    status = params.get("status", "")
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    elif status == PLACED:
        orders = orders.exclude(status=OrderStatus.CANCELLED)
    owner = params.get("owner", "")
    if owner.isdigit():
        orders = orders.filter(owner_id=int(owner))
    owners = [part for part in params.get("owners", "").split(",") if part]
    if owners:
        ids = [int(part) for part in owners if part.isdigit()]
        orders = (
            orders.filter(owner_id__in=ids) if len(ids) == len(owners) and not value_problem(ids) else orders.none()
        )
    product = params.get("product", "")
    if product.isdigit() and not value_problem(int(product)):
        orders = orders.filter(pk__in=OrderLine.objects.filter(product_id=int(product)).values("order_id"))
    for name in ("company", "contact"):
        value = params.get(name, "")
        if value.isdigit():
            orders = orders.filter(**{f"{name}_id": int(value)})
    after, before = _date(params, "from"), _date(params, "to")
    if after is not None:
        orders = orders.filter(ordered_on__gte=after)
    if before is not None:
        orders = orders.filter(ordered_on__lte=before)
    query = params.get("q", "").strip()
    if query:
        orders = orders.filter(
            Q(number__icontains=query) | Q(company__name__icontains=query) | Q(contact__full_name__icontains=query)
        )
    return orders


def with_base_total(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Each order's total in the tenant's base currency, with the latest rate dated on or before its
    order date (null when no rate covers it)."""
    rate = ExchangeRate.objects.filter(currency=OuterRef("currency"), valid_from__lte=OuterRef("ordered_on"))
    rate_value = Subquery(rate.order_by("-valid_from").values("rate")[:1])
    money = DecimalField(max_digits=20, decimal_places=2)
    return orders.annotate(
        base_total=Case(
            When(currency=base_currency(), then=F("total")),
            default=ExpressionWrapper(F("total") * rate_value, output_field=money),
            output_field=money,
        )
    )


@dataclass(frozen=True)
class PurchaseHistory:
    """What a customer bought: orders not cancelled, totals per currency and in base currency."""

    order_count: int
    base_currency: str
    base_total: Decimal
    unconverted: int  # orders in a currency without a rate on their date (left out of base_total)
    by_currency: list[dict[str, Any]]
    first_ordered_on: date | None
    last_ordered_on: date | None
    recent: list[Order]

    @property
    def average_days_between(self) -> int | None:
        """The mean gap between consecutive orders (the span over the number of gaps)."""
        if self.order_count < 2 or self.first_ordered_on is None or self.last_ordered_on is None:
            return None
        return round((self.last_ordered_on - self.first_ordered_on).days / (self.order_count - 1))

    @property
    def average_order(self) -> Decimal | None:
        converted = self.order_count - self.unconverted
        return (self.base_total / converted).quantize(Decimal("0.01")) if converted else None


def purchase_history(user: User, **customer: Any) -> PurchaseHistory:
    """The purchase history of ``company=`` or ``contact=`` over the orders ``user`` may see: three
    queries (summary, per currency, recent orders)."""
    orders = visible_orders(user).filter(**customer)
    kept = orders.exclude(status=OrderStatus.CANCELLED)
    summary = with_base_total(kept).aggregate(
        count=Count("id"),
        converted=Sum("base_total"),
        unconverted=Count("id", filter=Q(base_total__isnull=True)),
        first=Min("ordered_on"),
        last=Max("ordered_on"),
    )
    by_currency = list(
        kept.values("currency").annotate(total=Sum("total"), count=Count("id")).order_by("-total", "currency")
    )
    recent = list(orders.select_related("owner").order_by("-ordered_on", "-id")[:RECENT_ORDERS])
    return PurchaseHistory(
        order_count=summary["count"],
        base_currency=base_currency(),
        base_total=(summary["converted"] or Decimal("0")).quantize(CENT, rounding=ROUND_HALF_UP),
        unconverted=summary["unconverted"],
        by_currency=[dict(row) for row in by_currency],
        first_ordered_on=summary["first"],
        last_ordered_on=summary["last"],
        recent=recent,
    )
