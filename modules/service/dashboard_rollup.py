"""Cases rolled up for the dashboard (``modules.analytics.dashboards.rollups``):

- per agent, queue, status and priority: what the open backlog, open cases by status and open
  cases by priority read instead of the cases when the rollup can answer. A case's status is kept,
  not its category: which statuses are open is read from the statuses when counting, so a status
  renamed, moved or recategorised needs no rebuild;
- per local day opened, agent, queue and channel: new cases by channel and the "new" series of new
  and solved cases by week; per local day solved, agent and queue: its "solved" series. Days are
  the workspace zone's: a reader in another zone reads the cases.

The case list's visibility is applied to the groups as to the cases (``visible_cases``): the
agents the reader may see, plus the unassigned cases of no queue or of the reader's queues.

The medians of first response and resolution times keep reading the cases: a median needs every
case's own figure (it is the middle one, or the mean of the two middle ones), and those are
seconds apart, so a rollup that could give it exactly would hold about one row per case; one
with coarser buckets would give the bucket, not the figure the cases give. Their period's cases
are found through the index on the opening time."""

# The SQL below names the models' own tables; every value is a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection

from identity.visibility import visible_owner_ids
from modules.analytics.dashboards import rollups
from modules.analytics.dashboards.models import (
    CaseFact,
    CaseOpenedFact,
    CasesByStatus,
    CaseSolvedFact,
    CasesOpenedDaily,
    CasesSolvedDaily,
)
from modules.service.choices import ACTIVE_CATEGORIES
from modules.service.models import Case, CaseStatus

ROLLUP = rollups.Rollup(
    key="case-rollup",
    entity="case",
    needs=frozenset({"analytics", "service"}),
    facts=CaseFact,
    groups=CasesByStatus,
    keys=("owner_id", "team_id", "status_id", "priority"),
    fact_rows=f"SELECT c.id, c.owner_id, c.team_id, c.status_id, c.priority FROM {Case._meta.db_table} c WHERE TRUE",
    record_id="c.id",
)


CASES = Case._meta.db_table
OPENED_ROLLUP = rollups.Rollup(
    key="case-opened-rollup",
    entity="case",
    needs=frozenset({"analytics", "service"}),
    facts=CaseOpenedFact,
    groups=CasesOpenedDaily,
    keys=("day", "owner_id", "team_id", "channel"),
    fact_rows=f"""SELECT c.id, (c.created_at AT TIME ZONE %(zone)s)::date, c.owner_id, c.team_id, c.channel
                  FROM {CASES} c WHERE TRUE""",
    record_id="c.id",
    by_day=True,
)
SOLVED_ROLLUP = rollups.Rollup(
    key="case-solved-rollup",
    entity="case",
    needs=frozenset({"analytics", "service"}),
    facts=CaseSolvedFact,
    groups=CasesSolvedDaily,
    keys=("day", "owner_id", "team_id"),
    fact_rows=f"""SELECT c.id, (c.solved_at AT TIME ZONE %(zone)s)::date, c.owner_id, c.team_id
                  FROM {CASES} c WHERE c.solved_at IS NOT NULL""",
    record_id="c.id",
    by_day=True,
)


def register() -> None:
    rollups.register_rollup(ROLLUP)
    rollups.register_rollup(OPENED_ROLLUP)
    rollups.register_rollup(SOLVED_ROLLUP)


def _visible(user: Any, owners: frozenset[int] | None) -> tuple[str, list[Any]]:
    """The groups of the cases ``user`` may see (``visible_cases``), of the filter's agents."""
    conditions, params = ["TRUE"], []
    visible = visible_owner_ids(user)
    if visible is not None:
        teams = sorted(user.teams.values_list("pk", flat=True))
        conditions.append(
            "(g.owner_id = ANY(%s) OR (g.owner_id IS NULL AND (g.team_id IS NULL OR g.team_id = ANY(%s))))"
        )
        params += [sorted(visible), teams]
    if owners is not None:
        conditions.append("g.owner_id = ANY(%s)")
        params.append(sorted(owners))
    return " AND ".join(conditions), params


# (status id, its label, its position, priority, open cases)
Group = tuple[int, str, int, str, int]


def open_groups(user: Any, owners: frozenset[int] | None) -> list[Group] | None:
    """The open cases ``user`` may see, of ``owners``, per status and priority, in the statuses'
    order; None when the rollup cannot answer (read the cases)."""
    if not rollups.usable(ROLLUP):
        return None
    where, params = _visible(user, owners)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT g.status_id, s.label, s.position, g.priority, sum(g.records)
                FROM {CasesByStatus._meta.db_table} g JOIN {CaseStatus._meta.db_table} s ON s.id = g.status_id
                WHERE s.category = ANY(%s) AND {where}
                GROUP BY g.status_id, s.label, s.position, g.priority HAVING sum(g.records) > 0
                ORDER BY s.position, g.status_id""",
            [[str(category) for category in ACTIVE_CATEGORIES], *params],
        )
        rows = cursor.fetchall()
    return [(status, label, position, priority, int(count)) for status, label, position, priority, count in rows]


def _in_days(user: Any, owners: frozenset[int] | None, start: date | None, end: date | None) -> tuple[str, list[Any]]:
    visible, params = _visible(user, owners)
    days, day_params = rollups.day_condition(start, end)
    return f"{visible} AND {days}", [*params, *day_params]


def opened_per_channel(
    user: Any, owners: frozenset[int] | None, start: date | None, end: date | None
) -> list[tuple[str, int]] | None:
    """Cases ``user`` may see, of ``owners``, opened on ``start``..``end`` (local days, either
    open), per channel; None when the rollup cannot answer (read the cases). Call in the reader's zone."""
    if not rollups.usable(OPENED_ROLLUP):
        return None
    where, params = _in_days(user, owners, start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT g.channel, sum(g.records) FROM {CasesOpenedDaily._meta.db_table} g
                WHERE {where} GROUP BY g.channel HAVING sum(g.records) > 0""",
            params,
        )
        return [(channel, int(count)) for channel, count in cursor.fetchall()]


def per_week(
    rollup: rollups.Rollup, user: Any, owners: frozenset[int] | None, start: date, end: date
) -> dict[date, int] | None:
    """Cases opened (``OPENED_ROLLUP``) or solved (``SOLVED_ROLLUP``) on ``start``..``end`` per
    Monday of the week; None when the rollup cannot answer. Call in the reader's zone."""
    if not rollups.usable(rollup):
        return None
    where, params = _in_days(user, owners, start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT date_trunc('week', g.day)::date, sum(g.records) FROM {rollup.table(rollup.groups)} g
                WHERE {where} GROUP BY 1 HAVING sum(g.records) > 0""",
            params,
        )
        return {week: int(count) for week, count in cursor.fetchall()}
