"""The "NPS over time" dashboard widget: the NPS of each month's answers, computed in PostgreSQL
in the reader's time zone, over the period (the last twelve months without one) and, under the
owner filter, the answers of contacts those users own."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format

from modules.analytics.dashboards.builtin_support import owned_by, reader_zone, within
from modules.analytics.dashboards.widgets import DashboardFilters, Point, Series, WidgetData
from modules.marketing.surveys.choices import NpsCategory
from modules.marketing.surveys.models import Response
from modules.marketing.surveys.results import NpsFigures

DEFAULT_MONTHS = 12


def visible_responses(user: Any) -> QuerySet[Response]:
    """Survey responses a marketing user may report on: all of the workspace's (a survey is the
    marketing team's, not an owner's); the contacts they name follow the link rule where shown."""
    return Response.objects.all()


def _months(filters: DashboardFilters, today: date) -> list[date]:
    end = (filters.end or today).replace(day=1)
    if filters.start is not None:
        start = filters.start.replace(day=1)
    else:
        month_index = end.year * 12 + end.month - 1 - (DEFAULT_MONTHS - 1)
        start = date(month_index // 12, month_index % 12 + 1, 1)
    months: list[date] = []
    current = start
    while current <= end and len(months) < 120:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def nps_over_time(user: Any, filters: DashboardFilters) -> WidgetData:
    with reader_zone(user) as zone:
        months = _months(filters, timezone.localdate())
        answers = within(
            owned_by(visible_responses(user).exclude(category=""), filters, "contact__owner"),
            "submitted_at", months[0], filters.end or timezone.localdate(),
        )  # fmt: skip
        grouped = (
            answers.annotate(month=TruncMonth("submitted_at", tzinfo=zone))
            .values("month")
            .annotate(
                promoters=Count("id", filter=Q(category=NpsCategory.PROMOTER)),
                passives=Count("id", filter=Q(category=NpsCategory.PASSIVE)),
                detractors=Count("id", filter=Q(category=NpsCategory.DETRACTOR)),
            )
            .values_list("month", "promoters", "passives", "detractors")
        )
        figures = {
            (month.date() if hasattr(month, "date") else month): NpsFigures(p, n, d) for month, p, n, d in grouped
        }
    points = tuple(
        Point(date_format(month, "YEAR_MONTH_FORMAT"), figures[month].score if month in figures else None)
        for month in months
    )
    return WidgetData(series=(Series("NPS", points),))
