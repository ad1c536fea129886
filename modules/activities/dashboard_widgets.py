"""Activities' dashboard widget kinds (``modules.analytics.dashboards.widgets``), registered from
``ActivitiesConfig.ready()``: activities completed per rep, overdue open activities, activities
completed per type and week.

Figures are counted in PostgreSQL over the activities the reader may see (owner = assignee), in the
reader's time zone, narrowed by the dashboard's owners (as assignees); each links to the activity
list showing exactly them (``assignee=all`` with ``assignees=`` for the owners, ``completed_from``/
``completed_to``, ``overdue``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from identity.models import User
from modules.activities import dashboard_rollup
from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.models import Activity
from modules.activities.selectors import overdue, visible_activities
from modules.analytics.dashboards.builtin_support import (
    day_params,
    day_start,
    list_url,
    owned_by,
    reader_zone,
    within,
)
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

ACTIVITY_LIST = "activities:activity-list"
DEFAULT_WEEKS = 8
Params = list[tuple[str, str]]


def _activities(user: User, filters: DashboardFilters) -> QuerySet[Activity]:
    return owned_by(visible_activities(user).select_related(None), filters, field="assignee").order_by()


def _assignees(owner_ids: frozenset[int] | None) -> Params:
    """Everyone the reader may see (the list's "all"), narrowed to these people when given."""
    if owner_ids is None:
        return [("assignee", "all")]
    return [("assignee", "all"), ("assignees", ",".join(str(pk) for pk in sorted(owner_ids)) or "0")]


def _done_list(filters: DashboardFilters, owner_ids: frozenset[int] | None, start: date | None, end: date | None,
               *extra: tuple[str, str]) -> str:  # fmt: skip
    days = day_params(start, end, "completed_from", "completed_to")
    return list_url(ACTIVITY_LIST, [("status", ActivityStatus.DONE), *extra, *days, *_assignees(owner_ids)])


def completed_per_rep(user: User, filters: DashboardFilters) -> WidgetData:
    """Activities completed in the period per assignee, most first."""
    with reader_zone(user):
        groups: list[Any] | None = dashboard_rollup.done_per_assignee(
            user, filters.owner_ids, filters.start, filters.end
        )
        if groups is None:
            done = within(
                _activities(user, filters).filter(status=ActivityStatus.DONE),
                "completed_at",
                filters.start,
                filters.end,
            )
            groups = list(
                done.filter(assignee__isnull=False)
                .values("assignee_id")
                .annotate(n=Count("id"))
                .values_list("assignee_id", "n")
            )
    names = {person.pk: person.display_name for person in User.objects.filter(pk__in=[pk for pk, _n in groups])}
    rows = sorted(
        (
            (names.get(pk, f"#{pk}"), count, _done_list(filters, frozenset({pk}), filters.start, filters.end))
            for pk, count in groups
        ),
        key=lambda row: (-row[1], str(row[0]).lower()),
    )
    return WidgetData(columns=(_("Assigned to"), _("Completed")), rows=tuple(rows), row_urls=True)


def overdue_activities(user: User, filters: DashboardFilters) -> WidgetData:
    """Open activities past due now (an all-day one once its day is over): those due before today
    from the rollup when it can answer, today's from the activities."""
    with reader_zone(user):
        now = timezone.now()
        today = timezone.localdate(now)
        before_today = dashboard_rollup.open_due_before(user, filters.owner_ids, today)
        if before_today is None:
            count = _activities(user, filters).filter(overdue(now)).count()
        else:
            due_today = _activities(user, filters).filter(
                status=ActivityStatus.OPEN, all_day=False, due_at__gte=day_start(today), due_at__lt=now
            )
            count = before_today + due_today.count()
    url = list_url(ACTIVITY_LIST, [("status", ActivityStatus.OPEN), ("overdue", "on"), *_assignees(filters.owner_ids)])
    return WidgetData(value=count, url=url)


def _weeks(filters: DashboardFilters, today: date) -> tuple[date, date]:
    """The period, or the eight weeks up to today's (weeks start on Monday)."""
    monday = today - timedelta(days=today.weekday())
    return filters.start or monday - timedelta(weeks=DEFAULT_WEEKS - 1), filters.end or today


def by_type_per_week(user: User, filters: DashboardFilters) -> WidgetData:
    """Activities completed per ISO week of the period, a series per type that has any."""
    with reader_zone(user) as zone:
        start, end = _weeks(filters, timezone.localdate())
        groups: list[Any] | None = dashboard_rollup.done_per_kind_and_week(user, filters.owner_ids, start, end)
        if groups is None:
            done = within(_activities(user, filters).filter(status=ActivityStatus.DONE), "completed_at", start, end)
            groups = list(
                done.annotate(week=TruncWeek("completed_at", tzinfo=zone))
                .values("kind", "week")
                .annotate(n=Count("id"))
                .values_list("kind", "week", "n")
            )
    counts: dict[tuple[str, date], int] = {}
    for kind, week, count in groups:
        counts[(kind, week.date() if hasattr(week, "date") else week)] = count
    weeks = []
    week = start - timedelta(days=start.weekday())
    while week <= end:
        weeks.append(week)
        week += timedelta(weeks=1)
    series = []
    for kind, label in ActivityKind.choices:
        if not any(key[0] == kind for key in counts):
            continue
        points = tuple(
            Point(
                label=date_format(monday, "SHORT_DATE_FORMAT"),
                value=counts.get((kind, monday), 0),
                url=_done_list(
                    filters, filters.owner_ids, max(monday, start), min(monday + timedelta(days=6), end), ("kind", kind)
                ),
            )
            for monday in weeks
        )
        series.append(Series(name=str(label), points=points))
    return WidgetData(series=tuple(series))


def _kind(key: str, title: Any, description: Any, display: Display, compute: Any, **options: Any) -> WidgetKind:
    return WidgetKind(key, title, description, display, compute, permission="activities.view", **options)


def register() -> None:
    dashboard_rollup.register()
    owner_only = frozenset({SharedFilter.OWNER})
    register_widget(
        _kind(
            "activities-completed-per-rep",
            gettext_lazy("Activities completed per rep"),
            gettext_lazy("Activities done in the period, per person they are assigned to."),
            Display.LEADERBOARD,
            completed_per_rep,
            width=4,
            height=3,
            order=40,
        )
    )
    register_widget(
        _kind(
            "activities-overdue",
            gettext_lazy("Overdue activities"),
            gettext_lazy("Open activities past their due time."),
            Display.KPI,
            overdue_activities,
            filters=owner_only,
            width=3,
            order=41,
        )
    )
    register_widget(
        _kind(
            "activities-by-type-per-week",
            gettext_lazy("Activities by type per week"),
            gettext_lazy("Activities done per week of the period (the last eight weeks without one), by type."),
            Display.BAR,
            by_type_per_week,
            width=8,
            height=3,
            order=42,
        )
    )
