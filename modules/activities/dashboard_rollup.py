"""Activities rolled up for the dashboard (``modules.analytics.dashboards.rollups``):

- done activities per local day, assignee and type: what "activities completed per rep" and
  "activities by type per week" read instead of the activities when the rollup can answer. A done
  activity counts on the local day it was completed in the workspace's zone, so a reader in that
  zone (most of them) reads the rollup and a reader in another zone reads the activities;
- open activities per local due day and assignee: "overdue activities". Whether an activity is
  overdue depends on the moment it is read, not only on a change: every open one due on a day
  before today is overdue (a timed one is due before today's first moment, an all-day one's day
  is over), so those days are summed from the rollup; today's timed activities fall due by the
  minute and are counted from the activities (the index on due time serves one day)."""

# The SQL below names the models' own tables; every value is a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import connection

from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity
from modules.analytics.dashboards import rollups
from modules.analytics.dashboards.models import (
    DoneActivitiesDaily,
    DoneActivityFact,
    OpenActivitiesDaily,
    OpenActivityFact,
)

ROLLUP = rollups.Rollup(
    key="activity-rollup",
    entity="activity",
    needs=frozenset({"analytics"}),
    facts=DoneActivityFact,
    groups=DoneActivitiesDaily,
    keys=("day", "assignee_id", "kind"),
    fact_rows=f"""
        SELECT a.id, (a.completed_at AT TIME ZONE %(zone)s)::date, a.assignee_id, a.kind
        FROM {Activity._meta.db_table} a WHERE a.status = '{ActivityStatus.DONE.value}'
    """,
    record_id="a.id",
    by_day=True,
)
DAILY = DoneActivitiesDaily._meta.db_table

OPEN_ROLLUP = rollups.Rollup(
    key="open-activity-rollup",
    entity="activity",
    needs=frozenset({"analytics"}),
    facts=OpenActivityFact,
    groups=OpenActivitiesDaily,
    keys=("day", "assignee_id"),
    fact_rows=f"""
        SELECT a.id, (a.due_at AT TIME ZONE %(zone)s)::date, a.assignee_id
        FROM {Activity._meta.db_table} a WHERE a.status = '{ActivityStatus.OPEN.value}' AND a.due_at IS NOT NULL
    """,
    record_id="a.id",
    by_day=True,
)
OPEN_DAILY = OpenActivitiesDaily._meta.db_table


def register() -> None:
    rollups.register_rollup(ROLLUP)
    rollups.register_rollup(OPEN_ROLLUP)


def open_due_before(user: Any, owners: frozenset[int] | None, today: date) -> int | None:
    """Open activities ``user`` may see, of ``owners`` (as assignees), due on a local day before
    ``today``; None when the rollup cannot answer (read the activities). Call in the reader's zone."""
    if not rollups.usable(OPEN_ROLLUP):
        return None
    where, params = _where(user, owners, None, today - timedelta(days=1))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(sum(records), 0) FROM {OPEN_DAILY} WHERE {where}", params)
        return int(cursor.fetchone()[0])


def _where(user: Any, owners: frozenset[int] | None, start: date | None, end: date | None) -> tuple[str, list[Any]]:
    assignees, params = rollups.owners_condition(user, owners, "assignee_id")
    days, day_params = rollups.day_condition(start, end)
    return f"{assignees} AND {days}", [*params, *day_params]


def done_per_assignee(
    user: Any, owners: frozenset[int] | None, start: date | None, end: date | None
) -> list[tuple[int, int]] | None:
    """Activities ``user`` may see, of ``owners`` (as assignees), done on ``start``..``end`` (local
    days, either open), per assignee; None when the rollup cannot answer (read the activities)."""
    if not rollups.usable(ROLLUP):
        return None
    where, params = _where(user, owners, start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT assignee_id, sum(records) FROM {DAILY}
                WHERE assignee_id IS NOT NULL AND {where} GROUP BY assignee_id HAVING sum(records) > 0""",
            params,
        )
        return [(int(pk), int(count)) for pk, count in cursor.fetchall()]


def done_per_kind_and_week(
    user: Any, owners: frozenset[int] | None, start: date, end: date
) -> list[tuple[str, date, int]] | None:
    """The same per type and Monday of the week; None when the rollup cannot answer."""
    if not rollups.usable(ROLLUP):
        return None
    where, params = _where(user, owners, start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT kind, date_trunc('week', day)::date, sum(records) FROM {DAILY}
                WHERE {where} GROUP BY 1, 2 HAVING sum(records) > 0""",
            params,
        )
        return [(kind, week, int(count)) for kind, week, count in cursor.fetchall()]
