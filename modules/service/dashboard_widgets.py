"""Service's dashboard widget kinds (``modules.analytics.dashboards.widgets``) and its ready-made
"Service" dashboard, registered from ``ServiceConfig.ready()``.

Every figure is computed in PostgreSQL over the cases the reader may see (``visible_cases``: their
owners' within the role's visibility, plus the unassigned cases of their queues), in the reader's
time zone. The owner filter keeps the cases of its agents (so no unassigned ones). A figure links to
the case list only where the list can say exactly the same records: it filters by status, status
category, priority and agent, not by dates, so figures of a period (new and solved per week, cases
by channel, response times) do not link.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, FloatField, Func, QuerySet
from django.db.models.aggregates import Aggregate
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.analytics.dashboards.builtin_support import list_url, owned_by, previous_period, reader_zone, within
from modules.analytics.dashboards.ready_made import Placement, ReadyMade, register_ready_made
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
from modules.service import dashboard_rollup
from modules.service.choices import ACTIVE_CATEGORIES, CaseChannel, CasePriority
from modules.service.models import Case
from modules.service.selectors.cases import visible_cases

CASE_LIST = "service:case-list"
OPEN = "active"  # the case list's status category for every open case (new, open, pending, on hold)
OWNER_ONLY = frozenset({SharedFilter.OWNER})
PERIOD_AND_OWNER = frozenset({SharedFilter.PERIOD, SharedFilter.OWNER})
HOUR_SECONDS = 3600
DEFAULT_WEEKS = 12
TABLE_ROWS = 10


class Median(Aggregate):
    """PostgreSQL's continuous median of a number."""

    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def seconds_between(start: str, end: str) -> Func:
    return Func(F(end) - F(start), template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField())


def cases_of(user: User, filters: DashboardFilters) -> QuerySet[Case]:
    """The cases ``user`` may see, of the filter's agents."""
    return owned_by(visible_cases(user), filters).order_by()


def open_cases(user: User, filters: DashboardFilters) -> QuerySet[Case]:
    return cases_of(user, filters).filter(status__category__in=ACTIVE_CATEGORIES)


def case_list(filters: DashboardFilters, *params: tuple[str, str]) -> str | None:
    """The case list of exactly these cases: None when the owner filter names several agents (a
    team), which the list's single ``agent`` cannot say."""
    owners = filters.owner_ids
    if owners is not None and len(owners) != 1:
        return None
    agent = [("agent", str(next(iter(owners))))] if owners else []
    return list_url(CASE_LIST, [*params, *agent])


def open_backlog(user: User, filters: DashboardFilters) -> WidgetData:
    groups = dashboard_rollup.open_groups(user, filters.owner_ids)
    count = sum(group[-1] for group in groups) if groups is not None else open_cases(user, filters).count()
    return WidgetData(value=count, url=case_list(filters, ("status_category", OPEN)))


def backlog_by_status(user: User, filters: DashboardFilters) -> WidgetData:
    """Open cases per status, in the statuses' order."""
    rolled_up = dashboard_rollup.open_groups(user, filters.owner_ids)
    if rolled_up is not None:
        statuses: dict[int, tuple[str, int]] = {}
        for status_id, label, _position, _priority, count in rolled_up:  # in the statuses' order
            statuses[status_id] = (label, statuses.get(status_id, (label, 0))[1] + count)
        groups = [(status_id, label, count) for status_id, (label, count) in statuses.items()]
    else:
        groups = [
            (group["status_id"], group["status__label"], group["n"])
            for group in open_cases(user, filters)
            .values("status_id", "status__label", "status__position")
            .annotate(n=Count("id"))
            .order_by("status__position", "status_id")
        ]
    points = tuple(
        Point(label, count, case_list(filters, ("status", str(status_id)))) for status_id, label, count in groups
    )
    return WidgetData(series=(Series(name=str(_("Open cases")), points=points),))


def _weeks(filters: DashboardFilters, today: date) -> tuple[date, date]:
    end = filters.end or today
    start = filters.start or end - timedelta(weeks=DEFAULT_WEEKS - 1)
    return start - timedelta(days=start.weekday()), end


def _per_week(cases: QuerySet[Case], field: str, start: date, end: date, zone: Any) -> dict[date, int]:
    grouped = (
        within(cases, field, start, end)
        .annotate(week=TruncWeek(field, tzinfo=zone))
        .values("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    return {(week.date() if hasattr(week, "date") else week): n for week, n in grouped}


def new_vs_solved(user: User, filters: DashboardFilters) -> WidgetData:
    """Cases opened and cases solved per week (Monday first) of the period (twelve weeks without one)."""
    with reader_zone(user) as zone:
        start, end = _weeks(filters, timezone.localdate())
        cases = cases_of(user, filters)
        opened = dashboard_rollup.per_week(dashboard_rollup.OPENED_ROLLUP, user, filters.owner_ids, start, end)
        if opened is None:
            opened = _per_week(cases, "created_at", start, end, zone)
        solved = dashboard_rollup.per_week(dashboard_rollup.SOLVED_ROLLUP, user, filters.owner_ids, start, end)
        if solved is None:
            solved = _per_week(cases, "solved_at", start, end, zone)
    weeks = []
    week = start
    while week <= end:
        weeks.append(week)
        week += timedelta(weeks=1)
    labels = [date_format(week, "SHORT_DATE_FORMAT") for week in weeks]

    def series(name: str, counts: dict[date, int]) -> Series:
        return Series(name, tuple(Point(label, counts.get(w, 0)) for label, w in zip(labels, weeks, strict=True)))

    return WidgetData(series=(series(str(_("New")), opened), series(str(_("Solved")), solved)))


def hours(seconds: float | None) -> Decimal | None:
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / HOUR_SECONDS).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _median_first_response(user: User, filters: DashboardFilters) -> Decimal | None:
    cases = within(cases_of(user, filters), "created_at", filters.start, filters.end).filter(
        first_response_at__isnull=False
    )
    return hours(cases.aggregate(value=Median(seconds_between("created_at", "first_response_at")))["value"])


def _median_resolution(user: User, filters: DashboardFilters) -> Decimal | None:
    cases = within(cases_of(user, filters), "solved_at", filters.start, filters.end)
    return hours(cases.aggregate(value=Median(seconds_between("created_at", "solved_at")))["value"])


def first_response(user: User, filters: DashboardFilters) -> WidgetData:
    """Median hours from opening to the first public reply, of the cases opened in the period that
    have one (calendar hours, not business hours)."""
    with reader_zone(user):
        value = _median_first_response(user, filters)
        before = previous_period(filters)
        previous = _median_first_response(user, before) if before is not None else None
    return WidgetData(value=value, previous=previous, unit="hours")


def resolution_time(user: User, filters: DashboardFilters) -> WidgetData:
    """Median hours from opening to solving, of the cases solved in the period (calendar hours)."""
    with reader_zone(user):
        value = _median_resolution(user, filters)
        before = previous_period(filters)
        previous = _median_resolution(user, before) if before is not None else None
    return WidgetData(value=value, previous=previous, unit="hours")


def cases_by_channel(user: User, filters: DashboardFilters) -> WidgetData:
    """Cases opened in the period per channel, largest first."""
    with reader_zone(user):
        groups = dashboard_rollup.opened_per_channel(user, filters.owner_ids, filters.start, filters.end)
        if groups is None:
            cases = within(cases_of(user, filters), "created_at", filters.start, filters.end)
            groups = list(cases.values("channel").annotate(n=Count("id")).values_list("channel", "n"))
    labels = dict(CaseChannel.choices)
    groups.sort(key=lambda group: (-group[1], group[0]))
    points = tuple(Point(str(labels.get(channel, channel)), count) for channel, count in groups)
    return WidgetData(series=(Series(name=str(_("New cases")), points=points),))


def backlog_by_priority(user: User, filters: DashboardFilters) -> WidgetData:
    """Open cases per priority, urgent first."""
    rolled_up = dashboard_rollup.open_groups(user, filters.owner_ids)
    if rolled_up is not None:
        counts: dict[str, int] = {}
        for _status, _label, _position, priority, count in rolled_up:
            counts[priority] = counts.get(priority, 0) + count
    else:
        counts = dict(open_cases(user, filters).values("priority").annotate(n=Count("id")).values_list("priority", "n"))
    points = tuple(
        Point(str(label), counts[value], case_list(filters, ("priority", value), ("status_category", OPEN)))
        for value, label in reversed(CasePriority.choices)
        if counts.get(value)
    )
    return WidgetData(series=(Series(name=str(_("Open cases")), points=points),))


def oldest_open(user: User, filters: DashboardFilters) -> WidgetData:
    """The ten open cases waiting longest, and how many are open in all."""
    with reader_zone(user):
        cases = open_cases(user, filters)
        total = cases.count()
        rows = list(cases.select_related("status", "owner").order_by("created_at", "id")[:TABLE_ROWS])
        now = timezone.now()
    table = tuple(
        (
            case.number,
            case.subject,
            case.status.label,
            case.owner.display_name if case.owner else str(_("Unassigned")),
            max((now - case.created_at).days, 0),
            reverse("service:case-detail", args=[case.pk]),
        )
        for case in rows
    )
    return WidgetData(
        value=total,
        url=case_list(filters, ("status_category", OPEN)),
        columns=(str(_("Case")), str(_("Subject")), str(_("Status")), str(_("Agent")), str(_("Age in days"))),
        rows=table,
        row_urls=True,
    )


def _kind(key: str, title: Any, description: Any, display: Display, compute: Any, **options: Any) -> WidgetKind:
    return WidgetKind(
        key, title, description, display, compute, needs=("service",), permission="service.view", **options
    )


def register() -> None:
    kinds = (
        _kind("service-open-backlog", _("Open cases"), _("Cases still being worked on."), Display.KPI,
              open_backlog, filters=OWNER_ONLY, width=3, order=40),
        _kind("service-first-response", _("Median first response"),
              _("Hours from opening to the first public reply, of the cases opened in the period."), Display.KPI,
              first_response, filters=PERIOD_AND_OWNER, width=3, order=41),
        _kind("service-resolution-time", _("Median resolution time"),
              _("Hours from opening to solving, of the cases solved in the period."), Display.KPI,
              resolution_time, filters=PERIOD_AND_OWNER, width=3, order=42),
        _kind("service-backlog-by-status", _("Open cases by status"), _("How many open cases each status holds."),
              Display.BAR, backlog_by_status, filters=OWNER_ONLY, width=6, height=3, order=43),
        _kind("service-new-vs-solved", _("New and solved cases by week"),
              _("Cases opened and solved per week of the period (the last twelve weeks without one)."),
              Display.LINE, new_vs_solved, filters=PERIOD_AND_OWNER, width=6, height=3, order=44),
        _kind("service-cases-by-channel", _("New cases by channel"),
              _("Cases opened in the period, by how they came in."), Display.PIE, cases_by_channel,
              filters=PERIOD_AND_OWNER, width=4, height=3, order=45),
        _kind("service-backlog-by-priority", _("Open cases by priority"), _("Open cases per priority."),
              Display.BAR, backlog_by_priority, filters=OWNER_ONLY, width=4, height=3, order=46),
        _kind("service-oldest-open", _("Oldest open cases"), _("The open cases waiting longest."), Display.TABLE,
              oldest_open, filters=OWNER_ONLY, width=8, height=3, order=47),
    )  # fmt: skip
    for kind in kinds:
        register_widget(kind)
    register_ready_made(SERVICE_DASHBOARD)
    dashboard_rollup.register()


SERVICE_DASHBOARD = ReadyMade(
    key="service",
    title=_("Service"),
    description=_("Open cases, response and resolution times, new and solved cases, channels and the oldest cases."),
    needs=("service",),
    order=30,
    placements=(
        Placement("service-open-backlog", 0, 0, 4, 2),
        Placement("service-first-response", 4, 0, 4, 2),
        Placement("service-resolution-time", 8, 0, 4, 2),
        Placement("service-backlog-by-status", 0, 2, 6, 3),
        Placement("service-new-vs-solved", 6, 2, 6, 3),
        Placement("service-cases-by-channel", 0, 5, 4, 3),
        Placement("service-backlog-by-priority", 4, 5, 4, 3),
        Placement("service-oldest-open", 0, 8, 12, 3),
    ),
)
