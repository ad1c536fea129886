"""The "SLA compliance" dashboard widget (``modules.analytics.dashboards.widgets``): the share of SLA
targets met by the cases opened in the period that the reader may see, of the filter's agents;
registered from ``ServiceSlaConfig.ready()``."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.analytics.dashboards.builtin_support import (
    day_params,
    list_url,
    owned_by,
    previous_period,
    reader_zone,
    share,
    within,
)
from modules.analytics.dashboards.widgets import (
    DashboardFilters,
    Display,
    SharedFilter,
    WidgetData,
    WidgetKind,
    register_widget,
)
from modules.service.selectors.cases import visible_cases
from modules.service.sla.models import CaseClock


def _met_share(user: User, filters: DashboardFilters) -> Decimal | None:
    cases = within(owned_by(visible_cases(user), filters), "created_at", filters.start, filters.end)
    counts = CaseClock.objects.filter(case__in=cases.values("pk")).aggregate(
        met=Count("pk", filter=Q(first_response_met_at__isnull=False))
        + Count("pk", filter=Q(resolution_met_at__isnull=False)),
        missed=Count("pk", filter=Q(first_response_breached_at__isnull=False))
        + Count("pk", filter=Q(resolution_breached_at__isnull=False)),
    )
    return share(counts["met"], counts["met"] + counts["missed"])


def sla_compliance(user: User, filters: DashboardFilters) -> WidgetData:
    """Targets met / (met + missed), first responses and resolutions together; the link opens the
    compliance page for the same days."""
    with reader_zone(user):
        value = _met_share(user, filters)
        before = previous_period(filters)
        previous = _met_share(user, before) if before is not None else None
    url = list_url("sla-reports:compliance", day_params(filters.start, filters.end, "start", "end"))
    return WidgetData(value=value, previous=previous, unit="%", url=url)


def register() -> None:
    register_widget(
        WidgetKind(
            "service-sla-compliance", _("SLA compliance"),
            _("Share of first-response and resolution targets met by the cases opened in the period."),
            Display.KPI, sla_compliance, needs=("service",), permission="service.view_reports",
            filters=frozenset({SharedFilter.PERIOD, SharedFilter.OWNER}),
        )
    )  # fmt: skip
