"""Sales' chart, leaderboard and table widget kinds (registered by ``dashboard_widgets``): the same
rules as its KPIs — PostgreSQL over the visible records, the reader's time zone, base currency —
and each point or row links to the list of the records it counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from identity.models import User
from modules.analytics.dashboards import closed_deals_rollup
from modules.analytics.dashboards.builtin_support import (
    day_params,
    in_base,
    list_url,
    money,
    owned_by,
    owner_params,
    reader_zone,
    within,
)
from modules.analytics.dashboards.widgets import DashboardFilters, Point, Series, WidgetData
from modules.contacts.choices import Source
from modules.contacts.services.money import base_currency
from modules.sales import open_deals_rollup
from modules.sales.choices import DealStatus, OrderStatus, StageKind
from modules.sales.dashboard_widgets import closed_in, deal_list, deals_of, won_in_base
from modules.sales.models import OrderLine, Stage
from modules.sales.selectors.deals import stale_deals, visible_leads
from modules.sales.selectors.forecast import build_forecast, period_starting
from modules.sales.selectors.orders import PLACED
from modules.sales.selectors.orders import visible_orders as _visible_orders
from modules.workspace.fiscal import add_months, fiscal_quarter_start, fiscal_start_month

TABLE_ROWS = 10
DEFAULT_MONTHS = 12


def deals_by_stage(user: User, filters: DashboardFilters) -> WidgetData:
    """Open deals per open stage, every pipeline's stages in order (stages without deals too)."""
    stages = list(
        Stage.objects.filter(kind=StageKind.OPEN)
        .select_related("pipeline")
        .order_by("pipeline__position", "pipeline_id", "position", "id")
    )
    with reader_zone(user):
        groups = open_deals_rollup.open_groups(user, filters.owner_ids)
    counts: dict[int | None, int] = {}
    if groups is not None:
        for _owner, stage_id, count, _amount in groups:
            counts[stage_id] = counts.get(stage_id, 0) + count
    else:
        counts = dict(
            deals_of(user, filters)
            .filter(status=DealStatus.OPEN)
            .values("stage_id")
            .annotate(n=Count("id"))
            .values_list("stage_id", "n")
        )
    several = len({stage.pipeline_id for stage in stages}) > 1
    points = tuple(
        Point(
            label=f"{stage.pipeline.name} · {stage.name}" if several else stage.name,
            value=counts.get(stage.pk, 0),
            url=deal_list(filters, ("status", DealStatus.OPEN), ("stage", str(stage.pk))),
        )
        for stage in stages
    )
    return WidgetData(series=(Series(name=_("Open deals"), points=points),))


def _months(filters: DashboardFilters, today: date) -> tuple[date, date]:
    """The period, or the twelve months up to today's."""
    if filters.start is not None and filters.end is not None:
        return filters.start, filters.end
    first = add_months(today.replace(day=1), 1 - DEFAULT_MONTHS)
    return filters.start or first, filters.end or today


def won_by_month(user: User, filters: DashboardFilters) -> WidgetData:
    """Won revenue per month of the period, a point per month (months without wins are zero)."""
    with reader_zone(user) as zone:
        start, end = _months(filters, timezone.localdate())
        bounded = DashboardFilters(start=start, end=end, owner_ids=filters.owner_ids)
        sums: dict[Any, Any] | None = closed_deals_rollup.won_by_month(user, filters.owner_ids, start, end)
        if sums is None:
            sums = dict(
                closed_in(user, bounded, DealStatus.WON)
                .annotate(month=TruncMonth("closed_at", tzinfo=zone))
                .values("month")
                .annotate(value=won_in_base())
                .values_list("month", "value")
            )
    by_month = {(month.date() if hasattr(month, "date") else month): value for month, value in sums.items()}
    points = []
    month = start.replace(day=1)
    while month <= end:
        last = add_months(month, 1) - timedelta(days=1)
        days = day_params(max(month, start), min(last, end), "closed_from", "closed_to")
        url = deal_list(filters, ("status", DealStatus.WON), *days)
        points.append(Point(date_format(month, "YEAR_MONTH_FORMAT"), money(by_month.get(month)), url))
        month = add_months(month, 1)
    return WidgetData(series=(Series(name=_("Won revenue"), points=tuple(points), unit=base_currency()),))


def pipeline_by_owner(user: User, filters: DashboardFilters) -> WidgetData:
    """Open deals per owner, largest amount first: owner, deals, amount and the owner's list."""
    with reader_zone(user):
        rolled_up = open_deals_rollup.open_groups(user, filters.owner_ids)
        if rolled_up is not None:
            groups = _per_owner(rolled_up)
        else:
            groups = list(
                deals_of(user, filters)
                .filter(status=DealStatus.OPEN)
                .values("owner_id")
                .annotate(deals=Count("id"), amount=Sum(in_base("amount", "currency", timezone.localdate())))
                .values_list("owner_id", "deals", "amount")
            )
    names = {person.pk: person.display_name for person in User.objects.filter(pk__in=[g[0] for g in groups if g[0]])}
    rows = []
    for owner_id, count, amount in groups:
        owner = ("owner", str(owner_id) if owner_id else "none")
        url = list_url("sales:deal-list", [("status", DealStatus.OPEN), owner])
        rows.append((names.get(owner_id, _("No owner")) if owner_id else _("No owner"), count, money(amount), url))
    rows.sort(key=lambda row: (-row[2], -row[1], str(row[0]).lower()))
    currency = base_currency()
    return WidgetData(
        columns=(_("Owner"), _("Deals"), _("Amount")), rows=tuple(rows), row_urls=True, unit=currency,
        column_units=("", "", currency),
    )  # fmt: skip


def _per_owner(groups: list[open_deals_rollup.Group]) -> list[tuple[int | None, int, Decimal | None]]:
    """The rollup's owner and stage groups summed per owner (an amount only where one had a rate)."""
    owners: dict[int | None, tuple[int, Decimal | None]] = {}
    for owner_id, _stage, count, amount in groups:
        deals, total = owners.get(owner_id, (0, None))
        owners[owner_id] = (deals + count, total if amount is None else (total or Decimal(0)) + amount)
    return [(owner_id, deals, amount) for owner_id, (deals, amount) in owners.items()]


def forecast_vs_quota(user: User, filters: DashboardFilters) -> WidgetData:
    """This fiscal quarter's forecast (won + committed, as on the forecast page) against each
    owner's quota. The forecast mixes won and open deals, which no list says; points open the
    forecast page of the quarter instead."""
    with reader_zone(user):
        fiscal = fiscal_start_month()
        period = period_starting("quarter", fiscal_quarter_start(timezone.localdate(), fiscal), fiscal)
        forecast = build_forecast(user, period)
    owners = [
        row for row in forecast.owners
        if filters.owner_ids is None or any(pk in filters.owner_ids for pk in row.member_ids)
    ]  # fmt: skip
    url = f"{reverse('sales:forecast')}?kind=quarter&period={period.key}"
    series = tuple(
        Series(
            name=name,
            points=tuple(Point(row.label, getattr(row.figures, attribute), url) for row in owners),
            unit=forecast.base_currency,
        )
        for name, attribute in ((_("Forecast"), "forecast"), (_("Quota"), "quota"))
    )
    return WidgetData(series=series, url=url)


def leads_by_source(user: User, filters: DashboardFilters) -> WidgetData:
    """Leads created in the period per source (largest first; no source is its own slice)."""
    with reader_zone(user):
        leads = within(owned_by(visible_leads(user), filters).order_by(), "created_at", filters.start, filters.end)
        groups = list(leads.values("source").annotate(n=Count("id")).values_list("source", "n"))
    labels = dict(Source.choices)
    groups.sort(key=lambda group: (-group[1], group[0]))
    days = day_params(filters.start, filters.end, "created_from", "created_to")
    points = tuple(
        Point(
            label=str(labels.get(source, source)) if source else _("No source"),
            value=count,
            url=list_url("sales:lead-list", [("source", source or "none"), *days, *owner_params(filters)]),
        )
        for source, count in groups
    )
    return WidgetData(series=(Series(name=_("New leads"), points=points),))


def stale_deals_table(user: User, filters: DashboardFilters) -> WidgetData:
    """The open deals idle longest beyond their stage's limit (ten), how many there are in all."""
    with reader_zone(user):
        deals = stale_deals(deals_of(user, filters))
        total = deals.count()
        rows = list(deals.select_related("stage", "owner").order_by("idle_since", "id")[:TABLE_ROWS])  # type: ignore[misc]
        now = timezone.now()
    table = tuple(
        (
            deal.name,
            deal.stage.name,
            deal.owner.display_name if deal.owner else _("No owner"),
            max((now - deal.idle_since).days, 0),  # type: ignore[attr-defined]
            deal.amount,
            deal.currency,
            reverse("sales:deal-detail", args=[deal.pk]),
        )
        for deal in rows
    )
    return WidgetData(
        value=total,
        url=deal_list(filters, ("status", DealStatus.OPEN), ("stale", "1")),
        columns=(_("Deal"), _("Stage"), _("Owner"), _("Idle days"), _("Amount"), _("Currency")),
        rows=table,
        row_urls=True,
    )


def top_products(user: User, filters: DashboardFilters) -> WidgetData:
    """Catalogue products by the net amount of their lines on the orders placed (not cancelled) in
    the period, in the base currency at the rate of the order's date; ten, largest first."""
    orders = owned_by(_visible_orders(user), filters).exclude(status=OrderStatus.CANCELLED)
    if filters.start is not None:
        orders = orders.filter(ordered_on__gte=filters.start)
    if filters.end is not None:
        orders = orders.filter(ordered_on__lte=filters.end)
    groups = list(
        OrderLine.objects.filter(order__in=orders.values("pk"), product__isnull=False)
        .values("product_id", "product__name")
        .annotate(
            revenue=Sum(in_base("net_amount", "order__currency", "order__ordered_on")),
            orders=Count("order_id", distinct=True),
        )
        .order_by(F("revenue").desc(nulls_last=True), "product__name", "product_id")
        .values_list("product_id", "product__name", "orders", "revenue")[:TABLE_ROWS]
    )
    days = day_params(filters.start, filters.end, "from", "to")
    rows = tuple(
        (
            name,
            count,
            money(revenue),
            list_url("sales:order-list", [("product", str(pk)), ("status", PLACED), *days, *owner_params(filters)]),
        )
        for pk, name, count, revenue in groups
    )
    currency = base_currency()
    return WidgetData(
        columns=(_("Product"), _("Orders"), _("Revenue")), rows=rows, row_urls=True, unit=currency,
        column_units=("", "", currency),
    )  # fmt: skip
