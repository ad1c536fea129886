"""CSAT figures: per agent and per queue over a period, in one query each.

The score is the share of satisfied answers (4 or 5 out of 5) in percent, the industry's usual
CSAT; the average rating and the number of answers come with it. Periods are inclusive days in
the current time zone; surveys count on the day they were answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from modules.service.contact_centre.models import CsatSurvey

SATISFIED = 4


@dataclass(frozen=True)
class CsatFigures:
    key: Any  # the agent's or team's id (None: no agent / no queue)
    name: str
    answers: int
    satisfied: int
    average: float | None

    @property
    def score(self) -> float | None:
        return round(100 * self.satisfied / self.answers, 1) if self.answers else None


def answered(start: date | None = None, end: date | None = None) -> QuerySet[CsatSurvey]:
    surveys = CsatSurvey.objects.filter(answered_at__isnull=False)
    if start is not None:
        surveys = surveys.filter(answered_at__gte=timezone.make_aware(datetime.combine(start, time.min)))
    if end is not None:
        surveys = surveys.filter(
            answered_at__lt=timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
        )
    return surveys


def _grouped(surveys: QuerySet[CsatSurvey], key: str, name: str) -> list[CsatFigures]:
    rows = (
        surveys.values(key, name)
        .annotate(answers=Count("id"), satisfied=Count("id", filter=Q(rating__gte=SATISFIED)), average=Avg("rating"))
        .order_by(name, key)
    )
    return [
        CsatFigures(
            key=row[key],
            name=row[name] or "",
            answers=row["answers"],
            satisfied=row["satisfied"],
            average=round(float(row["average"]), 2) if row["average"] is not None else None,
        )
        for row in rows
    ]


def csat_by_agent(
    start: date | None = None, end: date | None = None, *, surveys: QuerySet[CsatSurvey] | None = None
) -> list[CsatFigures]:
    return _grouped(surveys if surveys is not None else answered(start, end), "agent", "agent__full_name")


def csat_by_queue(
    start: date | None = None, end: date | None = None, *, surveys: QuerySet[CsatSurvey] | None = None
) -> list[CsatFigures]:
    return _grouped(surveys if surveys is not None else answered(start, end), "team", "team__name")


def csat_overall(surveys: QuerySet[CsatSurvey]) -> CsatFigures:
    row = surveys.aggregate(
        answers=Count("id"), satisfied=Count("id", filter=Q(rating__gte=SATISFIED)), average=Avg("rating")
    )
    average = round(float(row["average"]), 2) if row["average"] is not None else None
    return CsatFigures(key=None, name="", answers=row["answers"], satisfied=row["satisfied"], average=average)


def attach_csat(report: Any, *, start: datetime, end: datetime) -> None:
    """Set ``csat`` (score in percent, None without answers) on the agent monitoring's rows
    (``modules.service.desk``) for surveys answered in [start, end): three queries in all."""
    surveys = CsatSurvey.objects.filter(answered_at__gte=start, answered_at__lt=end)
    by_agent = {row.key: row.score for row in csat_by_agent(surveys=surveys)}
    by_queue = {row.key: row.score for row in csat_by_queue(surveys=surveys)}
    for row in report.agents:
        row.csat = by_agent.get(row.key)
    for row in report.queues:
        row.csat = by_queue.get(row.key)
    if report.total is not None:
        report.total.csat = csat_overall(surveys).score
