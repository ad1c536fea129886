"""Sales' dashboard widget kinds (``modules.analytics.dashboards.widgets``) and its ready-made
"Sales" dashboard, registered from ``SalesConfig.ready()``. The charts and tables are in
``dashboard_charts``; this file holds the figures (KPIs) and the registration.

Every figure is computed in PostgreSQL over the deals and leads the reader may see (the lists' own
selectors), in the reader's time zone, and links to the list of exactly the records it counts.
Amounts are in the base currency: open deals at the latest rate on or before today (as the report
builder and the home page convert them), won deals at the rate of the day they closed (as the
forecast does); an amount no rate covers is left out of the sum but its deal stays in the list.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.analytics.dashboards import closed_deals_rollup
from modules.analytics.dashboards.builtin_support import (
    day_params,
    in_base,
    list_url,
    local_day,
    money,
    owned_by,
    owner_params,
    previous_period,
    reader_zone,
    share,
    within,
)
from modules.analytics.dashboards.ready_made import Placement, ReadyMade, register_ready_made
from modules.analytics.dashboards.widgets import (
    DashboardFilters,
    Display,
    SharedFilter,
    WidgetData,
    WidgetKind,
    register_widget,
)
from modules.contacts.services.money import base_currency
from modules.sales import open_deals_rollup
from modules.sales.choices import DealStatus
from modules.sales.models import Deal
from modules.sales.selectors.deals import visible_deals

DEAL_LIST = "sales:deal-list"
OWNER_ONLY = frozenset({SharedFilter.OWNER})
PERIOD_AND_OWNER = frozenset({SharedFilter.PERIOD, SharedFilter.OWNER})
DAY_SECONDS = Decimal(86400)


def deals_of(user: User, filters: DashboardFilters) -> QuerySet[Deal]:
    """The deals ``user`` may see, of the filter's owners."""
    return owned_by(visible_deals(user), filters).order_by()


def closed_in(user: User, filters: DashboardFilters, *statuses: str) -> QuerySet[Deal]:
    """Deals of ``statuses`` closed on the period's days."""
    return within(deals_of(user, filters).filter(status__in=statuses), "closed_at", filters.start, filters.end)


def won_in_base() -> Sum:
    """The sum of won deals' amounts at the rate of the day they closed (the reader's day)."""
    return Sum(in_base("amount", "currency", local_day("closed_at")))


def deal_list(filters: DashboardFilters, *params: tuple[str, str]) -> str:
    return list_url(DEAL_LIST, [*params, *owner_params(filters)])


def closed_list(filters: DashboardFilters, status: str) -> str:
    return deal_list(filters, ("status", status), *day_params(filters.start, filters.end, "closed_from", "closed_to"))


def open_pipeline(user: User, filters: DashboardFilters) -> WidgetData:
    with reader_zone(user):
        groups = open_deals_rollup.open_groups(user, filters.owner_ids)
        if groups is not None:
            amounts = [amount for _owner, _stage, _count, amount in groups if amount is not None]
            total = sum(amounts, Decimal(0)) if amounts else None
        else:
            total = (
                deals_of(user, filters)
                .filter(status=DealStatus.OPEN)
                .aggregate(value=Sum(in_base("amount", "currency", timezone.localdate())))["value"]
            )
    return WidgetData(value=money(total), unit=base_currency(), url=deal_list(filters, ("status", DealStatus.OPEN)))


def _rolled_up(user: User, filters: DashboardFilters) -> closed_deals_rollup.ClosedTotals | None:
    """The period's closed deals from the rollup, when it can answer for the reader's zone."""
    return closed_deals_rollup.closed_totals(user, filters.owner_ids, filters.start, filters.end)


def won_total(user: User, filters: DashboardFilters) -> Decimal:
    totals = _rolled_up(user, filters)
    if totals is not None:
        return money(totals.won_amount)
    won = closed_in(user, filters, DealStatus.WON)
    return money(won.aggregate(value=won_in_base())["value"])


def won_revenue(user: User, filters: DashboardFilters) -> WidgetData:
    with reader_zone(user):
        value = won_total(user, filters)
        before = previous_period(filters)
        previous = won_total(user, before) if before is not None else None
    return WidgetData(value=value, previous=previous, unit=base_currency(), url=closed_list(filters, DealStatus.WON))


def _win_rate(user: User, filters: DashboardFilters) -> Decimal | None:
    totals = _rolled_up(user, filters)
    if totals is not None:
        return share(totals.won, totals.won + totals.lost)
    counts = closed_in(user, filters, DealStatus.WON, DealStatus.LOST).aggregate(
        won=Count("id", filter=Q(status=DealStatus.WON)), closed=Count("id")
    )
    return share(counts["won"], counts["closed"])


def win_rate(user: User, filters: DashboardFilters) -> WidgetData:
    """Won / (won + lost) of the deals closed in the period; the link lists those closed deals."""
    with reader_zone(user):
        value = _win_rate(user, filters)
        before = previous_period(filters)
        previous = _win_rate(user, before) if before is not None else None
    return WidgetData(value=value, previous=previous, unit="%", url=closed_list(filters, "closed"))


def _cycle_days(user: User, filters: DashboardFilters) -> Decimal | None:
    totals = _rolled_up(user, filters)
    if totals is not None:
        if not totals.cycles:
            return None
        days = totals.cycle_us / totals.cycles / Decimal(1_000_000) / DAY_SECONDS
        return days.quantize(Decimal("0.1"), ROUND_HALF_UP)
    average = closed_in(user, filters, DealStatus.WON).aggregate(cycle=Avg(F("closed_at") - F("created_at")))["cycle"]
    if not isinstance(average, timedelta):
        return None
    return (Decimal(str(average.total_seconds())) / DAY_SECONDS).quantize(Decimal("0.1"), ROUND_HALF_UP)


def cycle_length(user: User, filters: DashboardFilters) -> WidgetData:
    """Days from creation to win, on average, of the deals won in the period (as the funnel says)."""
    with reader_zone(user):
        value = _cycle_days(user, filters)
        before = previous_period(filters)
        previous = _cycle_days(user, before) if before is not None else None
    return WidgetData(value=value, previous=previous, unit="days", url=closed_list(filters, DealStatus.WON))


def _kind(key: str, title: Any, description: Any, display: Display, compute: Any, **options: Any) -> WidgetKind:
    return WidgetKind(key, title, description, display, compute, needs=("sales",), **options)


def register() -> None:
    from modules.sales import dashboard_charts as charts

    kinds = (
        _kind(
            "sales-open-pipeline",
            _("Open pipeline"),
            _("Open deals' amounts in the base currency."),
            Display.KPI,
            open_pipeline,
            permission="sales.view",
            filters=OWNER_ONLY,
            width=3,
            order=10,
        ),
        _kind(
            "sales-won-revenue",
            _("Won revenue"),
            _("Deals won in the period, against the period before."),
            Display.KPI,
            won_revenue,
            permission="sales.view",
            filters=PERIOD_AND_OWNER,
            width=3,
            order=11,
        ),
        _kind(
            "sales-win-rate",
            _("Win rate"),
            _("Deals won of those closed in the period."),
            Display.KPI,
            win_rate,
            permission="sales.view",
            filters=PERIOD_AND_OWNER,
            width=3,
            order=12,
        ),
        _kind(
            "sales-cycle-length",
            _("Average sales cycle"),
            _("Days from creation to win of the deals won in the period."),
            Display.KPI,
            cycle_length,
            permission="sales.view",
            filters=PERIOD_AND_OWNER,
            width=3,
            order=13,
        ),
        _kind(
            "sales-deals-by-stage",
            _("Open deals by stage"),
            _("How many open deals each stage holds."),
            Display.FUNNEL,
            charts.deals_by_stage,
            permission="sales.view",
            filters=OWNER_ONLY,
            width=6,
            height=3,
            order=20,
        ),
        _kind(
            "sales-won-by-month",
            _("Won revenue by month"),
            _("Deals won per month of the period (the last twelve months without one)."),
            Display.LINE,
            charts.won_by_month,
            permission="sales.view",
            filters=PERIOD_AND_OWNER,
            width=6,
            height=3,
            order=21,
        ),
        _kind(
            "sales-pipeline-by-owner",
            _("Pipeline by owner"),
            _("Open deals and their amounts per owner."),
            Display.LEADERBOARD,
            charts.pipeline_by_owner,
            permission="sales.view_reports",
            filters=OWNER_ONLY,
            width=4,
            height=3,
            order=22,
        ),
        _kind(
            "sales-forecast-vs-quota",
            _("Forecast against quota"),
            _("Won and committed deals of this fiscal quarter against each owner's quota."),
            Display.BAR,
            charts.forecast_vs_quota,
            permission="sales.view_reports",
            filters=OWNER_ONLY,
            width=8,
            height=3,
            order=23,
        ),
        _kind(
            "sales-new-leads-by-source",
            _("New leads by source"),
            _("Leads created in the period, by where they came from."),
            Display.PIE,
            charts.leads_by_source,
            permission="sales.view",
            filters=PERIOD_AND_OWNER,
            width=4,
            height=3,
            order=24,
        ),
        _kind(
            "sales-stale-deals",
            _("Deals going stale"),
            _("Open deals idle longer than their stage allows."),
            Display.TABLE,
            charts.stale_deals_table,
            permission="sales.view",
            filters=OWNER_ONLY,
            width=6,
            height=3,
            order=25,
        ),
        _kind(
            "sales-top-products",
            _("Top products"),
            _("Products by revenue of the orders placed in the period."),
            Display.TABLE,
            charts.top_products,
            permission="sales.view",
            filters=PERIOD_AND_OWNER,
            width=6,
            height=3,
            order=26,
        ),
    )
    for kind in kinds:
        register_widget(kind)
    register_ready_made(SALES_DASHBOARD)
    open_deals_rollup.register()


SALES_DASHBOARD = ReadyMade(
    key="sales",
    title=_("Sales"),
    description=_("Pipeline, won revenue, win rate and cycle, stages, forecast, leads and deals going stale."),
    needs=("sales",),
    order=10,
    placements=(
        Placement("sales-open-pipeline", 0, 0, 3, 2),
        Placement("sales-won-revenue", 3, 0, 3, 2),
        Placement("sales-win-rate", 6, 0, 3, 2),
        Placement("sales-cycle-length", 9, 0, 3, 2),
        Placement("sales-deals-by-stage", 0, 2, 6, 3),
        Placement("sales-won-by-month", 6, 2, 6, 3),
        Placement("sales-forecast-vs-quota", 0, 5, 8, 3),
        Placement("sales-new-leads-by-source", 8, 5, 4, 3),
        Placement("sales-stale-deals", 0, 8, 6, 3),
        Placement("sales-top-products", 6, 8, 6, 3),
        Placement("sales-pipeline-by-owner", 0, 11, 12, 3),
    ),
)
