"""Agent monitoring: per agent and per queue over a period, in calendar time.

Open workload (cases still being worked on now), cases created and solved in the period, and the
median and average times to first response (cases whose first response came in the period) and to
resolution (cases solved in the period). Business-time SLA compliance is the SLA clock's report.
Each grouping is one query whatever the number of agents or queues (grouped aggregates with
``percentile_cont`` for the medians).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Aggregate, Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from identity.models import Team, User
from modules.service.choices import ACTIVE_CATEGORIES
from modules.service.models import Case


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5) WITHIN GROUP (ORDER BY …)``; intervals stay intervals."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_filter = True


@dataclass
class Row:
    key: Any
    label: str
    open: int = 0
    new: int = 0
    solved: int = 0
    first_response_median: timedelta | None = None
    first_response_average: timedelta | None = None
    resolution_median: timedelta | None = None
    resolution_average: timedelta | None = None


@dataclass
class Monitoring:
    start: datetime
    end: datetime
    agents: list[Row] = field(default_factory=list)
    queues: list[Row] = field(default_factory=list)
    total: Row | None = None


def _aggregates(start: datetime, end: datetime) -> dict[str, Any]:
    first = ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField())
    resolution = ExpressionWrapper(F("solved_at") - F("created_at"), output_field=DurationField())
    responded = Q(first_response_at__gte=start, first_response_at__lt=end)
    solved = Q(solved_at__gte=start, solved_at__lt=end)
    return {
        "open": Count("pk", filter=Q(status__category__in=ACTIVE_CATEGORIES, merged_into__isnull=True)),
        "new": Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        "solved": Count("pk", filter=solved),
        "first_response_median": Median(first, filter=responded, output_field=DurationField()),
        "first_response_average": Avg(first, filter=responded, output_field=DurationField()),
        "resolution_median": Median(resolution, filter=solved, output_field=DurationField()),
        "resolution_average": Avg(resolution, filter=solved, output_field=DurationField()),
    }


def _relevant(cases: QuerySet[Case], start: datetime, end: datetime) -> QuerySet[Case]:
    """Cases that count for the period: open now, or created, answered or solved in it."""
    return cases.filter(
        Q(status__category__in=ACTIVE_CATEGORIES)
        | Q(created_at__gte=start, created_at__lt=end)
        | Q(first_response_at__gte=start, first_response_at__lt=end)
        | Q(solved_at__gte=start, solved_at__lt=end)
    )


COUNTS = ("open", "new", "solved")
TIMES = ("first_response_median", "first_response_average", "resolution_median", "resolution_average")


def _row(key: Any, label: str, values: dict[str, Any]) -> Row:
    row = Row(key=key, label=label)
    for name in COUNTS:
        setattr(row, name, values.get(name) or 0)
    for name in TIMES:
        setattr(row, name, values.get(name))
    return row


def agent_monitoring(*, start: datetime, end: datetime, cases: QuerySet[Case] | None = None) -> Monitoring:
    """The table of ``cases`` (all the tenant's cases by default) for the period [start, end)."""
    base = _relevant(Case.objects.all() if cases is None else cases, start, end)
    aggregates = _aggregates(start, end)
    by_agent: dict[Any, dict[str, Any]] = {
        row["owner"]: dict(row) for row in base.values("owner").annotate(**aggregates).order_by()
    }
    by_queue: dict[Any, dict[str, Any]] = {
        row["team"]: dict(row) for row in base.values("team").annotate(**aggregates).order_by()
    }
    total = base.aggregate(**aggregates)
    users = {user.pk: user for user in User.objects.filter(pk__in=[pk for pk in by_agent if pk is not None])}
    teams = {team.pk: team for team in Team.objects.filter(pk__in=[pk for pk in by_queue if pk is not None])}
    report = Monitoring(start=start, end=end)
    report.agents = sorted(
        (_row(pk, str(users[pk]) if pk in users else "", values) for pk, values in by_agent.items()),
        key=lambda row: (row.key is None, row.label.lower(), row.key or 0),
    )
    report.queues = sorted(
        (_row(pk, teams[pk].name if pk in teams else "", values) for pk, values in by_queue.items()),
        key=lambda row: (row.key is None, row.label.lower(), row.key or 0),
    )
    report.total = _row("total", "", total)
    return report
