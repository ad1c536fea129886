"""Marketing's dashboard widget kinds (``modules.analytics.dashboards.widgets``) and the ready-made
"Marketing" dashboard, registered from ``AttributionConfig.ready()``.

Figures cover the campaigns the reader may see, of the owner filter's users. The period filter
selects the deals created in it for the attribution widgets (linear multi-touch), and the members
added in it for members by status; all computed in PostgreSQL (``attribution.selectors``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.analytics.dashboards.builtin_support import day_start, owned_by, reader_zone, within
from modules.analytics.dashboards.ready_made import Placement, ReadyMade, register_ready_made
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
from modules.marketing.attribution.choices import AttributionModel
from modules.marketing.attribution.selectors import CampaignFigures, attribution
from modules.marketing.choices import MemberStatus
from modules.marketing.models import CampaignMember
from modules.marketing.selectors.campaigns import visible_campaigns

MODEL = AttributionModel.LINEAR
TOP = 10


def _figures(user: User, filters: DashboardFilters) -> list[CampaignFigures]:
    with reader_zone(user):
        start = day_start(filters.start) if filters.start else None
        end = day_start(filters.end + timedelta(days=1)) if filters.end else None
        return attribution(owned_by(visible_campaigns(user), filters), start=start, end=end)


def _detail(row: CampaignFigures) -> str:
    return reverse("marketing:campaign-detail", args=[row.campaign_id])


def campaign_roi(user: User, filters: DashboardFilters) -> WidgetData:
    """The campaigns with a cost, best ROI first: won revenue, cost and ROI (%)."""
    rows = [row for row in _figures(user, filters) if row.cost]
    rows.sort(key=lambda row: (-(row.by_model[MODEL].roi or 0), row.name))
    table = tuple(
        (
            row.name,
            row.by_model[MODEL].won,
            row.cost,
            row.by_model[MODEL].roi_percent,
            _detail(row),
        )
        for row in rows[:TOP]
    )
    currency = base_currency()
    return WidgetData(
        columns=(
            str(_("Campaign")),
            f"{_('Won revenue')} ({currency})",
            f"{_('Cost')} ({currency})",
            str(_("ROI = (won revenue − cost) / cost, %")),
        ),
        rows=table,
        row_urls=True,
    )


def influenced_revenue(user: User, filters: DashboardFilters) -> WidgetData:
    """Influenced pipeline and won revenue per campaign (the ten with the most pipeline)."""
    rows = [row for row in _figures(user, filters) if row.deals]
    rows.sort(key=lambda row: (-row.by_model[MODEL].pipeline, row.name))
    rows = rows[:TOP]
    currency = base_currency()
    return WidgetData(
        series=(
            Series(
                name=str(_("Influenced pipeline")),
                points=tuple(Point(row.name, row.by_model[MODEL].pipeline, _detail(row)) for row in rows),
                unit=currency,
            ),
            Series(
                name=str(_("Won revenue")),
                points=tuple(Point(row.name, row.by_model[MODEL].won, _detail(row)) for row in rows),
                unit=currency,
            ),
        )
    )


def members_by_status(user: User, filters: DashboardFilters) -> WidgetData:
    """Members of the campaigns, added in the period, per status (one query)."""
    with reader_zone(user):
        members = within(
            CampaignMember.objects.filter(campaign__in=owned_by(visible_campaigns(user), filters).values("pk")),
            "created_at",
            filters.start,
            filters.end,
        )
        counts = dict(members.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    points = tuple(Point(str(label), counts.get(value, 0)) for value, label in MemberStatus.choices)
    return WidgetData(series=(Series(name=str(_("Members")), points=points),))


def _kind(key: str, title: Any, description: Any, display: Display, compute: Any, **options: Any) -> WidgetKind:
    return WidgetKind(
        key, title, description, display, compute, needs=("marketing",), permission="marketing.view_reports",
        **options,
    )  # fmt: skip


def register() -> None:
    kinds = (
        _kind("marketing-campaign-roi", _("Campaign ROI"),
              _("Won revenue, cost and ROI of the campaigns with a cost (linear multi-touch, deals created in "
                "the period)."),
              Display.TABLE, campaign_roi, width=6, height=3, order=50),
        _kind("marketing-influenced-revenue", _("Influenced revenue by campaign"),
              _("Influenced pipeline and won revenue per campaign (linear multi-touch, deals created in the "
                "period)."),
              Display.BAR, influenced_revenue, width=6, height=3, order=51),
        _kind("marketing-members-by-status", _("Campaign members by status"),
              _("Members added to campaigns in the period, by how far they came."), Display.BAR, members_by_status,
              width=6, height=3, order=52),
    )  # fmt: skip
    for kind in kinds:
        register_widget(kind)
    register_ready_made(MARKETING_DASHBOARD)


MARKETING_DASHBOARD = ReadyMade(
    key="marketing",
    title=_("Marketing"),
    description=_(
        "E-mails sent, opened and clicked, form submissions, lead scores, segment sizes, campaign ROI, "
        "influenced pipeline and won revenue per campaign, and members by status."
    ),
    needs=("marketing",),
    order=20,
    # The kinds of the delivery, web form, scoring and segment apps are registered from their own
    # ready(); a placement whose kind the reader cannot have is left out when the dashboard is made.
    placements=(
        Placement("marketing-messages-sent", 0, 0, 3, 3),
        Placement("marketing-email-engagement", 3, 0, 9, 3),
        Placement("marketing-opens-clicks-per-week", 0, 3, 6, 3),
        Placement("marketing-form-submissions", 6, 3, 6, 3),
        Placement("marketing-score-distribution", 0, 6, 6, 3),
        Placement("marketing-segment-sizes", 6, 6, 6, 3),
        Placement("marketing-campaign-roi", 0, 9, 6, 3),
        Placement("marketing-influenced-revenue", 6, 9, 6, 3),
        Placement("marketing-members-by-status", 0, 12, 12, 3),
    ),
)
