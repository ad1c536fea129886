"""Open deals rolled up per owner and stage (``modules.analytics.dashboards.rollups``): what the open
pipeline, open deals by stage and pipeline by owner read instead of the deals when the rollup can
answer. Each open deal's amount is converted to the base currency at the rate in force today and
rounded to cents, as ``builtin_support.in_base`` converts it, so the sums are the deals' own; the
rollup answers while the rates in force on the reader's today are those it was built with."""

# The SQL below names the models' own tables; every value is a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection

from modules.analytics.dashboards import rollups
from modules.analytics.dashboards.models import OpenDealFact, OpenDealsByStage
from modules.contacts.models import ExchangeRate
from modules.sales.choices import DealStatus
from modules.sales.models import Deal

ROLLUP = rollups.Rollup(
    key="open-deal-rollup",
    entity="deal",
    needs=frozenset({"analytics", "sales"}),
    facts=OpenDealFact,
    groups=OpenDealsByStage,
    keys=("owner_id", "stage_id"),
    fact_rows=f"""
        SELECT d.id, d.owner_id, d.stage_id,
               CASE WHEN d.currency = %(currency)s THEN d.amount
                    ELSE round(d.amount * (
                        SELECT r.rate FROM {ExchangeRate._meta.db_table} r
                        WHERE r.currency = d.currency AND r.valid_from <= %(today)s
                        ORDER BY r.valid_from DESC LIMIT 1
                    ), 2)
               END
        FROM {Deal._meta.db_table} d WHERE d.status = '{DealStatus.OPEN.value}'
    """,
    record_id="d.id",
    amount=True,
    converts=True,
)


def register() -> None:
    rollups.register_rollup(ROLLUP)


# (owner id, stage id, open deals, their amount in the base currency — None when none had a rate)
Group = tuple[int | None, int | None, int, Decimal | None]


def open_groups(user: Any, owners: frozenset[int] | None) -> list[Group] | None:
    """The open deals ``user`` may see, of ``owners``, per owner and stage; None when the rollup
    cannot answer (read the deals). Call in the reader's zone (today's rates are the reader's)."""
    if not rollups.usable(ROLLUP):
        return None
    where, params = rollups.owners_condition(user, owners, "owner_id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT owner_id, stage_id, sum(records), sum(amount) FILTER (WHERE amounts > 0)
                FROM {OpenDealsByStage._meta.db_table} WHERE records > 0 AND {where}
                GROUP BY owner_id, stage_id""",
            params,
        )
        return [(owner, stage, int(count), amount) for owner, stage, count, amount in cursor.fetchall()]
