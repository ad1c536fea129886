"""Customer-value widget kinds, owned by analytics (``modules.analytics.customer_value``): customers
by RFM segment, customers at risk of churning, the customers predicted to bring the most over the
next twelve months, and how many customers order again month after month (cohort retention).

They read order amounts, so like the customer-value pages they need sales in the plan and
``sales.view`` besides ``analytics.view``; they count the customers the reader may see, as the
pages do. RFM is scored over the twelve months to today (the pages' default), so the dashboard's
period does not apply; predictions come from the newest fit, whose time the widgets give as
``as_of``. Each figure links to the analysis page listing exactly those customers.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from identity.models import User
from modules.analytics.customer_value.cohorts import DEFAULT_COHORT_MONTHS, cohorts
from modules.analytics.customer_value.models import CustomerValue
from modules.analytics.customer_value.rfm import DEFAULT_PERIOD, segment_summaries
from modules.analytics.customer_value.selectors import (
    AtRisk,
    by_predicted_value,
    customers_at_risk,
    latest_run,
    visible_values,
)
from modules.analytics.dashboards.builtin_support import list_url, money, reader_zone
from modules.analytics.dashboards.widgets import (
    DashboardFilters,
    Display,
    Point,
    Series,
    WidgetData,
    WidgetKind,
    register_widget,
)
from modules.contacts.services.money import base_currency

TABLE_ROWS = 10
RETENTION_AGES = 6


def _as_of() -> Any:
    run = latest_run()
    return run.computed_at if run is not None else None


def _record_url(kind: str, pk: int) -> str:
    return reverse("contacts:company-detail" if kind == "company" else "contacts:contact-detail", args=[pk])


def rfm_segments(user: User, filters: DashboardFilters) -> WidgetData:
    """Customers per RFM segment over the last twelve months (segments without customers left out)."""
    with reader_zone(user):
        summaries = segment_summaries(user, today=timezone.localdate(), months=DEFAULT_PERIOD)
    points = tuple(
        Point(
            label=str(summary.segment.label),
            value=summary.customers,
            url=list_url("analytics:rfm", [("period", str(DEFAULT_PERIOD)), ("segment", summary.segment.key)]),
        )
        for summary in summaries
        if summary.customers
    )
    return WidgetData(series=(Series(name=_("Customers"), points=points),))


def _at_risk(user: User) -> list[AtRisk]:
    with reader_zone(user):
        return customers_at_risk(user, today=timezone.localdate(), months=DEFAULT_PERIOD)


def _churn_url() -> str:
    return list_url("analytics:churn", [("period", str(DEFAULT_PERIOD))])


def at_risk_count(user: User, filters: DashboardFilters) -> WidgetData:
    """How many visible customers are at risk (probability alive under 50 % or an RFM segment at risk)."""
    rows = _at_risk(user)
    return WidgetData(value=len(rows), url=_churn_url(), as_of=_as_of())


def at_risk_table(user: User, filters: DashboardFilters) -> WidgetData:
    """The most valuable customers at risk: name, why, value to date, last order."""
    rows = _at_risk(user)
    table = tuple(
        (
            row.name,
            None if row.probability_alive is None else round(row.probability_alive * 100),
            row.segment_label or "",
            row.historical_value,
            row.last_ordered_on,
            _record_url(row.kind, row.customer_id),
        )
        for row in rows[:TABLE_ROWS]
    )
    return WidgetData(
        value=len(rows),
        url=_churn_url(),
        unit=base_currency(),
        columns=(_("Customer"), _("Probability alive (%)"), _("RFM segment"), _("Value to date"), _("Last order")),
        column_units=("", "", "", base_currency(), ""),
        rows=table,
        row_urls=True,
        as_of=_as_of(),
    )


def _name(value: CustomerValue) -> str:
    return str(value.company if value.company_id else value.contact)


def top_predicted(user: User, filters: DashboardFilters) -> WidgetData:
    """The customers the newest fit predicts to bring the most over the next twelve months."""
    values = list(by_predicted_value(visible_values(user).filter(predicted_value__isnull=False))[:TABLE_ROWS])
    rows = tuple(
        (
            _name(value),
            money(value.predicted_value),
            None if value.probability_alive is None else round(value.probability_alive * 100),
            value.historical_value,
            _record_url("company", int(value.company_id))
            if value.company_id
            else _record_url("contact", int(value.contact_id or 0)),
        )
        for value in values
    )
    return WidgetData(
        url=reverse("analytics:customer-value"),
        unit=base_currency(),
        columns=(_("Customer"), _("Predicted value"), _("Probability alive (%)"), _("Value to date")),
        column_units=("", base_currency(), "", base_currency()),
        rows=rows,
        row_urls=True,
        as_of=_as_of(),
    )


def cohort_retention(user: User, filters: DashboardFilters) -> WidgetData:
    """Of the customers who first ordered in the last twelve months, the share ordering again 1, 2 …
    6 months after their first month: each age pools the cohorts old enough to have reached it (as
    the cohort page's columns do). Shares of customers are no list of records, so the widget opens
    the cohort page."""
    with reader_zone(user):
        grid = cohorts(user, today=timezone.localdate(), months=DEFAULT_COHORT_MONTHS)
    points = []
    for age in range(1, RETENTION_AGES + 1):
        reached = [cohort for cohort in grid if len(cohort.active) > age]
        size = sum(cohort.size for cohort in reached)
        if not size:
            break
        active = sum(cohort.active[age] for cohort in reached)
        share = (Decimal(active * 100) / size).quantize(Decimal("0.1"), ROUND_HALF_UP)
        points.append(Point(label=_("Month %(age)d") % {"age": age}, value=share))
    url = list_url("analytics:cohorts", [("months", str(DEFAULT_COHORT_MONTHS))])
    return WidgetData(series=(Series(name=_("Ordering again"), points=tuple(points), unit="%"),), url=url)


def _kind(key: str, title: Any, description: Any, display: Display, compute: Any, **options: Any) -> WidgetKind:
    # No shared filter applies: RFM has its own twelve months, predictions their own horizon.
    return WidgetKind(
        key, title, description, display, compute, needs=("sales",), permission="sales.view", filters=frozenset(),
        **options,
    )  # fmt: skip


def register() -> None:
    register_widget(
        _kind(
            "customers-by-rfm-segment",
            gettext_lazy("Customers by RFM segment"),
            gettext_lazy("Customers per segment of recency and frequency over the last twelve months."),
            Display.PIE,
            rfm_segments,
            width=4,
            height=3,
            order=60,
        )
    )
    register_widget(
        _kind(
            "customers-at-risk",
            gettext_lazy("Customers at risk"),
            gettext_lazy("Customers likely to stop buying."),
            Display.KPI,
            at_risk_count,
            width=3,
            order=61,
        )
    )
    register_widget(
        _kind(
            "customers-at-risk-table",
            gettext_lazy("Most valuable customers at risk"),
            gettext_lazy("Customers likely to stop buying, most valuable first."),
            Display.TABLE,
            at_risk_table,
            width=6,
            height=3,
            order=62,
        )
    )
    register_widget(
        _kind(
            "customers-cohort-retention",
            gettext_lazy("Cohort retention"),
            gettext_lazy("Customers of the last twelve months ordering again, by months since their first order."),
            Display.LINE,
            cohort_retention,
            width=6,
            height=3,
            order=64,
        )
    )
    register_widget(
        _kind(
            "customers-top-predicted-value",
            gettext_lazy("Top predicted customer value"),
            gettext_lazy("Customers predicted to bring the most over the next twelve months."),
            Display.TABLE,
            top_predicted,
            width=6,
            height=3,
            order=63,
        )
    )
