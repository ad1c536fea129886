"""Read side of the lead and deal lists: visibility, filters, sorting and keyset pages."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DateTimeField, ExpressionWrapper, F, Func, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest, Now
from django.http import QueryDict
from django.utils import timezone

from core.input_bounds import moment_problem, value_problem
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.contacts.models import Company, Contact
from modules.sales.choices import DealStatus
from modules.sales.models import Deal, Lead
from modules.sales.selectors.deal_filters import filter_deals_for_analyses

LEAD_SORTS = {
    "-created": ("created_at", True),
    "created": ("created_at", False),
    "name": ("full_name", False),
    "-name": ("full_name", True),
    "company": ("company_name", False),
    "-updated": ("updated_at", True),
}
DEAL_SORTS = {
    "-updated": ("updated_at", True),
    "updated": ("updated_at", False),
    "-amount": ("amount", True),
    "amount": ("amount", False),
    "close": ("expected_close_date", False),
    "-close": ("expected_close_date", True),
    "stage": ("stage__position", False),
    "-stage": ("stage__position", True),
    "owner": ("owner__full_name", False),
    "-owner": ("owner__full_name", True),
    "name": ("name", False),
}
PAGE_SIZE = 50


def visible_leads(user: User) -> QuerySet[Lead]:
    return restrict_to_visible(Lead.objects.all(), user)


def visible_deals(user: User) -> QuerySet[Deal]:
    return restrict_to_visible(Deal.objects.all(), user)


def visible_companies(user: User) -> QuerySet[Company]:
    return restrict_to_visible(Company.objects.all(), user)


def visible_contacts(user: User) -> QuerySet[Contact]:
    return restrict_to_visible(Contact.objects.all(), user)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _day(params: QueryDict, name: str) -> date | None:
    try:
        value = date.fromisoformat((params.get(name) or "").strip())
    except ValueError:
        return None
    return None if moment_problem(value) else value


def _local_days(queryset: QuerySet[Any], field: str, params: QueryDict, first: str, last: str) -> QuerySet[Any]:
    """Records whose moment ``field`` falls on the days ``first``..``last`` (inclusive) of the current
    time zone, the page's (the reader's, else the tenant's)."""
    start, end = _day(params, first), _day(params, last)
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": timezone.make_aware(datetime.combine(start, time.min))})
    if end is not None:
        next_day = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
        queryset = queryset.filter(**{f"{field}__lt": next_day})
    return queryset


def _owners(queryset: QuerySet[Any], params: QueryDict) -> QuerySet[Any]:
    """``owners=3,5,8``: any of these owners (a dashboard's team filter; the list's control is one owner)."""
    ids = [int(part) for part in (params.get("owners") or "").split(",") if part.strip().isdigit()]
    if ids and not value_problem(ids):
        queryset = queryset.filter(owner_id__in=ids)
    elif params.get("owners"):
        queryset = queryset.none()  # an unreadable set of owners matches no one rather than everyone
    return queryset


def idle_since() -> Any:
    """When an open deal last moved or had an activity."""
    return Greatest(F("stage_entered_at"), Coalesce(F("last_activity_at"), F("stage_entered_at")))


def stale_deals(queryset: QuerySet[Deal]) -> QuerySet[Deal]:
    """Open deals idle (no stage move, no activity) at least as long as their stage allows: the rule
    of ``Deal.is_rotting``, in SQL; annotated with ``idle_since``."""
    rotting_after = Func(
        F("stage__rotting_days"), function="make_interval", template="make_interval(days => %(expressions)s)"
    )
    limit = ExpressionWrapper(Now() - rotting_after, output_field=DateTimeField())
    return (
        queryset.filter(status=DealStatus.OPEN, stage__rotting_days__isnull=False)
        .annotate(idle_since=idle_since())
        .filter(idle_since__lte=limit)
    )


def filter_leads(queryset: QuerySet[Lead], params: QueryDict) -> QuerySet[Lead]:
    if params.get("status"):
        queryset = queryset.filter(status=params["status"])
    if params.get("source") == "none":
        queryset = queryset.filter(source="")
    elif params.get("source"):
        queryset = queryset.filter(source=params["source"])
    queryset = _local_days(_owners(queryset, params), "created_at", params, "created_from", "created_to")
    owner = _int(params.get("owner"))
    if owner is not None:
        queryset = queryset.filter(owner_id=owner)
    elif params.get("owner") == "none":
        queryset = queryset.filter(owner__isnull=True)
    tag = _int(params.get("tag"))
    if tag is not None:
        queryset = queryset.filter(tags__id=tag)
    q = (params.get("q") or "").strip()
    if q:
        queryset = queryset.filter(
            Q(full_name__icontains=q) | Q(company_name__icontains=q) | Q(email__icontains=q) | Q(phone__icontains=q)
        )
    return queryset


def filter_deals(queryset: QuerySet[Deal], params: QueryDict) -> QuerySet[Deal]:
    if params.get("owner") == "none":
        queryset = queryset.filter(owner__isnull=True)
    for name in ("pipeline", "stage", "owner", "tag"):
        value = _int(params.get(name))
        if value is not None:
            queryset = queryset.filter(**{"tags__id" if name == "tag" else f"{name}_id": value})
    if params.get("status") == "closed":  # won or lost, from a dashboard's win rate
        queryset = queryset.filter(status__in=(DealStatus.WON, DealStatus.LOST))
    elif params.get("status"):
        queryset = queryset.filter(status=params["status"])
    queryset = _local_days(_owners(queryset, params), "closed_at", params, "closed_from", "closed_to")
    # The forecast's open deals: expected to close on the days ``expected_from``..``expected_to``.
    expected_from, expected_to = _day(params, "expected_from"), _day(params, "expected_to")
    if expected_from is not None:
        queryset = queryset.filter(expected_close_date__gte=expected_from)
    if expected_to is not None:
        queryset = queryset.filter(expected_close_date__lte=expected_to)
    if params.get("stale"):
        queryset = stale_deals(queryset)
    q = (params.get("q") or "").strip()
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(company__name__icontains=q))
    return filter_deals_for_analyses(queryset, params)


# --- keyset pages -----------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return {"t": value.isoformat(), "k": "dt" if isinstance(value, datetime) else "d"}
    if isinstance(value, Decimal):
        return {"t": str(value), "k": "dec"}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        kind, text = value.get("k"), str(value.get("t"))
        if kind == "dt":
            return datetime.fromisoformat(text)
        if kind == "d":
            return date.fromisoformat(text)
        if kind == "dec":
            return Decimal(text)
    return value


def make_cursor(sort_value: Any, pk: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([_encode(sort_value), pk]).encode()).decode()


def read_cursor(cursor: str | None) -> tuple[Any, int] | None:
    if not cursor:
        return None
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        decoded, pk = _decode(value), int(pk)
    except (ValueError, TypeError):
        return None
    if value_problem([decoded, pk]):  # what the database can compare (core.input_bounds)
        return None
    return decoded, pk


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Any]
    next_cursor: str | None
    sort: str


def keyset_page(
    queryset: QuerySet[Any], sorts: dict[str, tuple[str, bool]], sort: str, cursor: str | None
) -> KeysetPage:
    """One page in ``sort`` order after ``cursor``; NULL sort values come last in both directions."""
    if sort not in sorts:
        sort = next(iter(sorts))
    field, descending = sorts[sort]
    order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    queryset = queryset.annotate(_sort=F(field)).order_by(order, "-pk" if descending else "pk")
    position = read_cursor(cursor)
    if position is not None:
        value, pk = position
        tie = Q(pk__lt=pk) if descending else Q(pk__gt=pk)
        if value is None:
            queryset = queryset.filter(Q(_sort__isnull=True) & tie)
        else:
            beyond = Q(_sort__lt=value) if descending else Q(_sort__gt=value)
            queryset = queryset.filter(beyond | Q(_sort=value) & tie | Q(_sort__isnull=True))
    rows = list(queryset[: PAGE_SIZE + 1])
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_cursor = make_cursor(rows[-1]._sort, rows[-1].pk)
    return KeysetPage(rows=rows, next_cursor=next_cursor, sort=sort)
