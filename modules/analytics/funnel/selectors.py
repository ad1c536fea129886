"""The funnel's figures, computed in PostgreSQL: one window-function query over the stage history,
one aggregate over the closed deals, whatever the number of deals or stages.

How deals count (the same in the docs and the page):

- A deal *enters* a stage when a history row moves it there (its creation enters the first stage)
  with the move's time in the period. A deal counts once per stage however often it entered it;
  entries into a pipeline's stages count whatever pipeline the deal is in now.
- It *moved on* from a stage when, after entering it in the period, it later entered a stage further
  along the pipeline: an open stage of a higher position or a won stage, at any time after. A deal
  that skips stages moves on from the stage it left and never enters the ones it skipped; a move
  back to an earlier stage is not moving on, and a deal that goes back and then forward again
  counts once. Conversion = moved on / entered. Lost stages have entries, not conversions.
- *Time in stage* of a deal is the sum of its stays in the stage that began in the period and have
  ended (the next move of the deal, to any stage or pipeline, ends a stay); a deal still in the
  stage is left out of the median and the average. Won and lost stages have no time in stage.
- *Win rate* and *cycle* read the deals of the pipeline closed in the period: won / (won + lost),
  and the days from creation to winning of the won ones (average and median).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from identity.models import Team, User
from identity.visibility import restrict_to_visible
from modules.sales.choices import StageKind
from modules.sales.models import Deal, Pipeline, Stage

DAY = Decimal(86400)
# The rank of a pipeline's won stages: after every open stage.
WON_RANK = 1_000_000


@dataclass
class StageFigures:
    stage: Stage
    entered: int = 0
    moved_on: int = 0
    median_seconds: float | None = None
    average_seconds: float | None = None

    @property
    def is_open(self) -> bool:
        return self.stage.kind == StageKind.OPEN

    @property
    def conversion(self) -> Decimal | None:
        """Percentage of the deals entering the stage that moved on, one decimal."""
        if not self.entered or self.stage.kind != StageKind.OPEN:
            return None
        return percent(self.moved_on, self.entered)

    @property
    def median_days(self) -> Decimal | None:
        return days(self.median_seconds)

    @property
    def average_days(self) -> Decimal | None:
        return days(self.average_seconds)


@dataclass
class Funnel:
    pipeline: Pipeline
    start: dt.date
    end: dt.date
    stages: list[StageFigures]
    won: int
    lost: int
    average_cycle_seconds: float | None
    median_cycle_seconds: float | None

    @property
    def win_rate(self) -> Decimal | None:
        return percent(self.won, self.won + self.lost) if self.won + self.lost else None

    @property
    def average_cycle_days(self) -> Decimal | None:
        return days(self.average_cycle_seconds)

    @property
    def median_cycle_days(self) -> Decimal | None:
        return days(self.median_cycle_seconds)


def percent(part: int, whole: int) -> Decimal:
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def days(seconds: float | None) -> Decimal | None:
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / DAY).quantize(Decimal("0.1"), ROUND_HALF_UP)


def funnel_deals(viewer: User, *, owner: User | None = None, team: Team | None = None) -> QuerySet[Deal]:
    """The deals the funnel reads: those ``viewer`` may see, narrowed to an owner or a team's members."""
    deals = restrict_to_visible(Deal.objects.all(), viewer)
    if owner is not None:
        deals = deals.filter(owner=owner)
    if team is not None:
        deals = deals.filter(owner__teams=team)
    return deals


def _period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


# %(rank)s: a CASE giving each stage of the pipeline its rank (open stages by position, won after
# them, lost and other pipelines' stages none). %(deals)s: the deals' ids.
STAGE_SQL = """
WITH moves AS (
    SELECT h.deal_id, h.to_stage_id, h.changed_at,
           LEAD(h.changed_at) OVER deal_moves AS left_at,
           %(rank)s AS rank,
           MAX(%(rank)s) OVER (deal_moves ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS later_rank
    FROM sales_dealstagechange h
    WHERE h.deal_id IN (%(deals)s)
    WINDOW deal_moves AS (PARTITION BY h.deal_id ORDER BY h.changed_at, h.id)
),
per_deal AS (
    SELECT deal_id, to_stage_id,
           BOOL_OR(later_rank > rank) AS moved_on,
           BOOL_AND(left_at IS NOT NULL) AS has_left,
           SUM(EXTRACT(EPOCH FROM left_at - changed_at)) AS seconds
    FROM moves
    WHERE to_stage_id = ANY(%%s) AND changed_at >= %%s AND changed_at < %%s
    GROUP BY deal_id, to_stage_id
)
SELECT to_stage_id,
       COUNT(*),
       COUNT(*) FILTER (WHERE moved_on),
       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY seconds) FILTER (WHERE has_left),
       AVG(seconds) FILTER (WHERE has_left)
FROM per_deal
GROUP BY to_stage_id
"""

CLOSED_SQL = """
SELECT COUNT(*) FILTER (WHERE d.status = 'won'),
       COUNT(*) FILTER (WHERE d.status = 'lost'),
       AVG(EXTRACT(EPOCH FROM d.closed_at - d.created_at)) FILTER (WHERE d.status = 'won'),
       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM d.closed_at - d.created_at))
           FILTER (WHERE d.status = 'won')
FROM sales_deal d
WHERE d.id IN (%(deals)s) AND d.pipeline_id = %%s AND d.closed_at >= %%s AND d.closed_at < %%s
"""


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def stage_ranks(stages: list[Stage]) -> dict[int, int]:
    """Open stages by position (then id) from 1, won stages after all of them; lost stages none."""
    ranks: dict[int, int] = {}
    open_stages = [stage for stage in stages if stage.kind == StageKind.OPEN]
    for index, stage in enumerate(sorted(open_stages, key=lambda stage: (stage.position, stage.pk)), start=1):
        ranks[stage.pk] = index
    for stage in stages:
        if stage.kind == StageKind.WON:
            ranks[stage.pk] = WON_RANK
    return ranks


def _rank_case(ranks: dict[int, int]) -> tuple[str, list[Any]]:
    if not ranks:
        return "NULL::integer", []
    whens = " ".join("WHEN %s THEN %s" for _rank in ranks)
    params: list[Any] = [value for pk, rank in ranks.items() for value in (pk, rank)]
    return f"(CASE h.to_stage_id {whens} END)", params


def funnel(
    viewer: User,
    pipeline: Pipeline,
    start: dt.date,
    end: dt.date,
    *,
    owner: User | None = None,
    team: Team | None = None,
) -> Funnel:
    """The funnel of ``pipeline`` over the days ``start`` to ``end`` (the current time zone's), over
    the deals ``viewer`` may see (of ``owner``, or of ``team``'s members, when given)."""
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))
    since, until = _period(start, end)
    deals_sql, deals_params = (
        funnel_deals(viewer, owner=owner, team=team).values("id").order_by().query.sql_with_params()
    )
    rank_sql, rank_params = _rank_case(stage_ranks(stages))
    figures = {stage.pk: StageFigures(stage) for stage in stages}
    with connection.cursor() as cursor:
        cursor.execute(
            STAGE_SQL % {"rank": rank_sql, "deals": deals_sql},
            [*rank_params, *rank_params, *deals_params, list(figures), since, until],
        )
        for stage_id, entered, moved_on, median, average in cursor.fetchall():
            row = figures[stage_id]
            row.entered, row.moved_on = entered, moved_on
            if row.is_open:
                row.median_seconds, row.average_seconds = _float(median), _float(average)
        cursor.execute(CLOSED_SQL % {"deals": deals_sql}, [*deals_params, pipeline.pk, since, until])
        won, lost, average_cycle, median_cycle = cursor.fetchone()
    return Funnel(
        pipeline=pipeline,
        start=start,
        end=end,
        stages=list(figures.values()),
        won=won,
        lost=lost,
        average_cycle_seconds=_float(average_cycle),
        median_cycle_seconds=_float(median_cycle),
    )
