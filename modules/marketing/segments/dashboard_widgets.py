"""Segments' dashboard widget kind (``modules.analytics.dashboards.widgets``), registered from
``SegmentsConfig.ready()``: the largest segments and static lists by members.

A segment's size is its kept member count (what the segment list shows; dynamic segments follow
their contacts through the outbox), so the period does not apply; the owner filter keeps the
segments those users own. Each bar opens the segment's page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from identity.models import User
from modules.analytics.dashboards.builtin_support import owned_by
from modules.analytics.dashboards.widgets import (
    DashboardFilters,
    Display,
    Point,
    Series,
    SharedFilter,
    WidgetData,
    WidgetKind,
    register_widget,
)
from modules.marketing.models import Segment

TOP = 10


def segment_sizes(user: User, filters: DashboardFilters) -> WidgetData:
    """The ten segments with the most members (one query)."""
    segments = owned_by(Segment.objects.all(), filters).order_by("-member_count", "name", "id")[:TOP]
    points = tuple(
        Point(name, count, reverse("marketing-segments:detail", args=[pk]))
        for pk, name, count in segments.values_list("pk", "name", "member_count")
    )
    return WidgetData(series=(Series(_("Members"), points),))


def register() -> None:
    register_widget(
        WidgetKind(
            key="marketing-segment-sizes", title=gettext_lazy("Segment sizes"),
            description=gettext_lazy("The ten segments and static lists with the most members."),
            display=Display.BAR, compute=segment_sizes, needs=("marketing",), permission="marketing.view_reports",
            filters=frozenset({SharedFilter.OWNER}), width=6, height=3, order=58,
        )
    )  # fmt: skip
