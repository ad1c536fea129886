"""Cases rolled up per agent, queue, status and priority (``modules.analytics.dashboards.rollups``):
what the open backlog, open cases by status and open cases by priority read instead of the cases
when the rollup can answer. A case's status is kept, not its category: which statuses are open is
read from the statuses when counting, so a status renamed, moved or recategorised needs no rebuild.

The case list's visibility is applied to the groups as to the cases (``visible_cases``): the
agents the reader may see, plus the unassigned cases of no queue or of the reader's queues. The
medians of response and resolution times need every case's figure and keep reading the cases."""

# The SQL below names the models' own tables; every value is a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

from django.db import connection

from identity.visibility import visible_owner_ids
from modules.analytics.dashboards import rollups
from modules.analytics.dashboards.models import CaseFact, CasesByStatus
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


def register() -> None:
    rollups.register_rollup(ROLLUP)


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
