"""Dashboards over the report tests' sales team (``tests.analytics.reports.conftest``: Mara manages
North with Ana, Cid is in South, five deals of early 2025), plus widget kinds registered for the
tests only and removed afterwards:

- ``test-won`` (KPI, period and owner): the reader's visible deals closed in the period, the
  previous period's count alongside, a link to the deal list;
- ``test-companies`` (table, owner only): the reader's visible companies per owner;
- ``test-slow`` (KPI): a query that outlasts the statement timeout the test sets;
- ``test-reports-only`` (KPI) needs ``sales.view_reports`` (tests take it from the sales reps).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count
from django.urls import reverse

from modules.analytics.dashboards import ready_made, widgets
from modules.analytics.dashboards.periods import previous_range
from modules.analytics.dashboards.ready_made import Placement, ReadyMade, register_ready_made
from modules.analytics.dashboards.widgets import (
    DashboardFilters,
    Display,
    SharedFilter,
    WidgetData,
    WidgetKind,
    register_widget,
)
from modules.analytics.reports.models import Report
from modules.analytics.reports.services import create_report
from modules.contacts.models import Company
from modules.sales.selectors.deals import visible_deals
from tests.analytics.reports.conftest import World, world  # noqa: F401 - the fixture, for this package
from tests.tenancy import TenantFixture

BY_REGION = {"group_by": [{"field": "custom.region"}], "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}]}
TOTAL = {"measures": [{"fn": "count"}]}


def _closed(user: Any, start: date | None, end: date | None, owner_ids: frozenset[int] | None) -> int:
    deals = visible_deals(user).filter(closed_at__isnull=False)
    if start:
        deals = deals.filter(closed_at__date__gte=start)
    if end:
        deals = deals.filter(closed_at__date__lte=end)
    if owner_ids is not None:
        deals = deals.filter(owner_id__in=owner_ids)
    return deals.count()


def won(user: Any, filters: DashboardFilters) -> WidgetData:
    start, end = previous_range(filters.start, filters.end)
    return WidgetData(
        value=_closed(user, filters.start, filters.end, filters.owner_ids),
        previous=_closed(user, start, end, filters.owner_ids) if start else None,
        url=reverse("sales:deal-list"),
    )


def companies(user: Any, filters: DashboardFilters) -> WidgetData:
    rows = Company.objects.all()
    if filters.owner_ids is not None:
        rows = rows.filter(owner_id__in=filters.owner_ids)
    counted = rows.values("owner__full_name").annotate(n=Count("pk")).order_by("owner__full_name")
    return WidgetData(
        columns=("Owner", "Companies"), rows=tuple((row["owner__full_name"], row["n"]) for row in counted)
    )


def slow(user: Any, filters: DashboardFilters) -> WidgetData:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 200")
        cursor.execute("SELECT pg_sleep(2)")
    return WidgetData(value=1)


KINDS = (
    WidgetKind("test-won", "Deals closed", "", Display.KPI, won, needs=("sales",), width=3, height=2),
    WidgetKind(
        "test-companies", "Companies per owner", "", Display.TABLE, companies, filters=frozenset({SharedFilter.OWNER})
    ),
    WidgetKind("test-slow", "Slow", "", Display.KPI, slow),
    WidgetKind("test-reports-only", "Forecast", "", Display.KPI, won, permission="sales.view_reports"),
)
READY = ReadyMade(
    "test-sales", "Sales at a glance", "Deals closed and companies.",
    (
        Placement("test-won", 0, 0, 3, 2), Placement("test-reports-only", 3, 0, 3, 2),
        Placement("test-companies", 6, 0, 6, 3),
    ),
    needs=("sales",),
)  # fmt: skip


@pytest.fixture
def kinds() -> Iterator[None]:
    saved_kinds, saved_dashboards = dict(widgets._KINDS), dict(ready_made._DASHBOARDS)
    for kind in KINDS:
        register_widget(kind)
    register_ready_made(READY)
    yield
    widgets._KINDS.clear()
    widgets._KINDS.update(saved_kinds)
    ready_made._DASHBOARDS.clear()
    ready_made._DASHBOARDS.update(saved_dashboards)


def region_report(alpha: TenantFixture, world: World, **values: Any) -> Report:  # noqa: F811
    with alpha.active():
        return create_report(
            by=values.pop("by", world.mara), name=values.pop("name", "By region"), source="deals",
            definition=values.pop("definition", BY_REGION), sharing=values.pop("sharing", "everyone"), **values,
        )  # fmt: skip
