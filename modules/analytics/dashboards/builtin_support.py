"""What the built-in widget kinds share: the reader's time zone, a period's bounds, the owner
narrowing with the list parameters that say it, and amounts in the base currency in SQL.

Kinds compute in the reader's time zone (their own, else the tenant's), the zone the record lists
filter in, so a figure and the list its ``url`` opens count the same records on a period's edges.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.db import connection, models
from django.db.models import Case, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Cast, Round
from django.urls import reverse
from django.utils import timezone

from identity.time_zones import zone_of
from modules.analytics.dashboards.widgets import DashboardFilters
from modules.contacts.models import ExchangeRate
from modules.contacts.services.money import base_currency

AMOUNT = models.DecimalField(max_digits=30, decimal_places=2)
Params = list[tuple[str, str]]


@contextmanager
def reader_zone(user: object) -> Iterator[zoneinfo.ZoneInfo]:
    """Run the block in the zone the reader's pages use (``identity.time_zones``)."""
    zone = zone_of(user, getattr(connection, "tenant", None)) or timezone.get_default_timezone()
    with timezone.override(zone):
        yield zone  # type: ignore[misc]


def day_start(day: date) -> datetime:
    """The first moment of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def within(queryset: QuerySet[Any], field: str, start: date | None, end: date | None) -> QuerySet[Any]:
    """Records whose moment ``field`` falls on the days ``start``..``end`` (inclusive, either open)."""
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": day_start(start)})
    if end is not None:
        queryset = queryset.filter(**{f"{field}__lt": day_start(end + timedelta(days=1))})
    return queryset


def previous_period(filters: DashboardFilters) -> DashboardFilters | None:
    """The same number of days just before the period (None when the period is open-ended)."""
    if filters.start is None or filters.end is None:
        return None
    length = filters.end - filters.start
    end = filters.start - timedelta(days=1)
    return DashboardFilters(start=end - length, end=end, owner_ids=filters.owner_ids)


def owned_by(queryset: QuerySet[Any], filters: DashboardFilters, field: str = "owner") -> QuerySet[Any]:
    """``queryset`` narrowed to the filter's owners (visibility is the caller's selector's)."""
    if filters.owner_ids is None:
        return queryset
    return queryset.filter(**{f"{field}_id__in": sorted(filters.owner_ids)})


def owner_params(filters: DashboardFilters) -> Params:
    """The deal and lead lists' parameters for the filter's owners: ``owner`` for one, ``owners``
    for several (no owners at all is an empty set: ``owners=`` with nothing matches no one)."""
    if filters.owner_ids is None:
        return []
    ids = sorted(filters.owner_ids)
    if len(ids) == 1:
        return [("owner", str(ids[0]))]
    return [("owners", ",".join(str(pk) for pk in ids) or "none")]


def day_params(start: date | None, end: date | None, first: str, last: str) -> Params:
    params: Params = []
    if start is not None:
        params.append((first, start.isoformat()))
    if end is not None:
        params.append((last, end.isoformat()))
    return params


def list_url(url_name: str, params: Params) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode(params)}" if params else url


def local_day(field: str) -> Expression:
    """The day of the moment ``field`` in the current time zone, in SQL."""
    zone = str(timezone.get_current_timezone())
    moment = models.Func(Value(zone), models.F(field), function="timezone", output_field=models.DateTimeField())
    return Cast(moment, models.DateField())


def _outer(expression: Any) -> Any:
    """``expression`` as seen from a subquery: its columns become references to the outer row."""
    if isinstance(expression, models.F):
        return OuterRef(expression.name)  # type: ignore[attr-defined]
    if not hasattr(expression, "get_source_expressions"):
        return expression
    copy = expression.copy()
    copy.set_source_expressions([_outer(part) for part in expression.get_source_expressions()])
    return copy


def in_base(amount: str, currency: str, on: str | date | Expression) -> Expression:
    """The amount field ``amount`` (currency field ``currency``) in the base currency, rounded to
    cents per record, at the latest rate dated on or before ``on`` (a field of the row, an
    expression over the row's fields, or a day); null when no rate covers it (sums leave it out)."""
    if isinstance(on, date):
        day: Any = Value(on)
    elif isinstance(on, str):
        day = OuterRef(on)
    else:
        day = _outer(on)
    rate = Subquery(
        ExchangeRate.objects.filter(currency=OuterRef(currency), valid_from__lte=day)
        .order_by("-valid_from")
        .values("rate")[:1]
    )
    return Case(
        When(**{currency: base_currency()}, then=models.F(amount)),
        default=Round(models.F(amount) * rate, 2),
        output_field=AMOUNT,
    )


def money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, one decimal (None for nothing to divide)."""
    if not whole:
        return None
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)
