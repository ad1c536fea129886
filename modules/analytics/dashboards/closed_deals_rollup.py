"""Won and lost deals rolled up per local day, owner and status, so that the period figures of a
dashboard (won revenue, win rate, sales cycle, won revenue by month) read a few thousand rows
instead of every closed deal of a large workspace.

The rollup gives the same answers as the deals themselves, not approximations:

- a deal counts on the local day it closed *in the workspace's time zone*, its amount converted to
  the base currency at the rate of that day and rounded to cents per deal, exactly as the widgets
  convert (``builtin_support.in_base``); a reader in another zone reads the deals;
- its ``RollupState`` row (key ``deal-rollup``) records the zone, base currency and exchange rates
  the rollup was built under; while any of them differs (a rate added or changed, the workspace's zone or currency
  changed) the widgets read the deals and a rebuild is asked for;
- each closed deal's contribution is kept (``ClosedDealFact``), so a change takes exactly what the
  deal added back out before adding its new figures: the outbox consumer applies every ``deal.*``
  event this way within moments of the change, and the nightly rebuild repairs anything written
  around the services.

Visibility is by owner (``identity.visibility``), so a reader's figures are the rows of the owners
they may see, intersected with the dashboard's owner filter.
"""

# The SQL below names the models' own tables; every value is a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from modules.analytics.dashboards import freshness
from modules.analytics.dashboards.models import ClosedDealFact, ClosedDealsDaily, RollupState
from modules.analytics.dashboards.rollups import day_condition, owners_condition, tenant_zone
from modules.contacts.models import ExchangeRate
from modules.contacts.services.money import base_currency
from modules.registry import enabled_module_keys
from modules.sales.choices import DealStatus
from modules.sales.models import Deal

KEY = "deal-rollup"
NEEDS = frozenset({"analytics", "sales"})
CLOSED = (DealStatus.WON.value, DealStatus.LOST.value)

FACTS = ClosedDealFact._meta.db_table
DAILY = ClosedDealsDaily._meta.db_table
STATE = RollupState._meta.db_table
DEALS = Deal._meta.db_table
RATES = ExchangeRate._meta.db_table

# The signature of the exchange rates the figures were converted with.
RATES_SIGNATURE = f"""
    SELECT md5(coalesce(string_agg(currency || ':' || valid_from || ':' || rate, ','
                                   ORDER BY currency, valid_from), ''))
    FROM {RATES}
"""

# Each closed deal's contribution, as ``builtin_support.in_base`` and ``local_day`` compute it.
FACT_ROWS = f"""
    SELECT d.id, (d.closed_at AT TIME ZONE %(zone)s)::date, d.owner_id, d.status,
           CASE WHEN d.currency = %(currency)s THEN d.amount
                ELSE round(d.amount * (
                    SELECT r.rate FROM {RATES} r
                    WHERE r.currency = d.currency AND r.valid_from <= (d.closed_at AT TIME ZONE %(zone)s)::date
                    ORDER BY r.valid_from DESC LIMIT 1
                ), 2)
           END,
           (extract(epoch FROM d.closed_at - d.created_at) * 1000000)::bigint
    FROM {DEALS} d
    WHERE d.status IN ('{CLOSED[0]}', '{CLOSED[1]}')
"""

FACT_COLUMNS = "deal_id, day, owner_id, status, amount, cycle_us"
DAILY_COLUMNS = "day, owner_id, status, deals, amount, amounts, cycle_us, cycles"


def _add_to_daily(source: str, sign: str) -> str:
    """``source`` facts added to (sign ``+``) or taken from (``-``) the daily rows."""
    return f"""
        INSERT INTO {DAILY} ({DAILY_COLUMNS})
        SELECT day, owner_id, status, {sign}count(*), {sign}coalesce(sum(amount), 0), {sign}count(amount),
               {sign}coalesce(sum(cycle_us), 0), {sign}count(cycle_us)
        FROM {source} GROUP BY day, owner_id, status
        ON CONFLICT (day, owner_id, status) DO UPDATE SET
            deals = {DAILY}.deals + EXCLUDED.deals, amount = {DAILY}.amount + EXCLUDED.amount,
            amounts = {DAILY}.amounts + EXCLUDED.amounts, cycle_us = {DAILY}.cycle_us + EXCLUDED.cycle_us,
            cycles = {DAILY}.cycles + EXCLUDED.cycles
    """


TAKE_OUT = f"WITH old AS (DELETE FROM {FACTS} WHERE deal_id = ANY(%(ids)s) RETURNING *) " + _add_to_daily("old", "-")
PUT_IN = (
    f"WITH new AS (INSERT INTO {FACTS} ({FACT_COLUMNS}) {FACT_ROWS} AND d.id = ANY(%(ids)s) RETURNING *) "
    + _add_to_daily("new", "+")
)


def _lock(cursor: Any) -> None:
    """One writer of the current schema's rollup at a time (until the transaction ends)."""
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':analytics-deal-rollup'))")


def rebuild() -> int:
    """Build the current tenant's rollup from every closed deal; how many deals it holds. Does
    nothing for a tenant without analytics and sales."""
    if not enabled_module_keys(getattr(connection, "tenant", None)) >= NEEDS:
        return 0
    params = {"zone": tenant_zone(), "currency": base_currency()}
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(f"TRUNCATE {FACTS}")
        cursor.execute(f"INSERT INTO {FACTS} ({FACT_COLUMNS}) {FACT_ROWS}", params)
        facts = cursor.rowcount
        # Readers keep seeing the old rows until this commits (a DELETE, not a TRUNCATE).
        cursor.execute(f"DELETE FROM {DAILY}")
        cursor.execute(_add_to_daily(FACTS, ""))
        cursor.execute(RATES_SIGNATURE)
        (signature,) = cursor.fetchone()
        now = timezone.now()
        # ``rates_day`` stays empty: the signature covers every dated rate, not those of one day.
        RollupState.objects.update_or_create(
            key=KEY,
            defaults={"zone": params["zone"], "currency": params["currency"], "rates_day": None,
                      "rates": signature, "built_at": now, "synced_at": now},
        )  # fmt: skip
    return facts


def apply_changes(deal_ids: Iterable[int]) -> None:
    """Bring the rollup up to date for these deals (changed, closed, reopened or deleted): each one's
    old contribution out, its current one in. Nothing happens before the first build."""
    ids = sorted(set(deal_ids))
    if not ids:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        state = RollupState.objects.filter(key=KEY).first()
        if state is None:
            return
        params: dict[str, Any] = {"ids": ids, "zone": state.zone, "currency": state.currency}
        cursor.execute(TAKE_OUT, params)
        cursor.execute(PUT_IN, params)
        RollupState.objects.filter(key=KEY).update(synced_at=timezone.now())


@dataclass(frozen=True)
class ClosedTotals:
    won: int
    lost: int
    # The won deals' amounts in the base currency (None: none of them had a rate).
    won_amount: Decimal | None
    # Creation to win of the won deals, in microseconds, and how many of them it covers.
    cycle_us: Decimal
    cycles: int


def _usable() -> bool:
    """Whether the rollup answers for the current zone, base currency and exchange rates; asks for
    a rebuild when the workspace moved on from what it was built under (or it was never built)."""
    zone = str(timezone.get_current_timezone())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT zone, currency, rates = ({RATES_SIGNATURE}) FROM {STATE} WHERE key = %s", [KEY])
        row = cursor.fetchone()
    workspace = (tenant_zone(), base_currency())
    if row is None or (row[0], row[1]) != workspace or not row[2]:
        from modules.analytics.refresh.services import ask_for_refresh

        ask_for_refresh(KEY)
        freshness.rollup_rebuilding()
        return False
    if row[0] != zone:
        return False  # a reader in another zone reads the deals
    freshness.answered_from_rollup("deal")
    return True


def _where(user: Any, owners: frozenset[int] | None, start: date | None, end: date | None) -> tuple[str, list[Any]]:
    owner_sql, owner_params = owners_condition(user, owners, "owner_id")
    day_sql, day_params = day_condition(start, end)
    return f"{owner_sql} AND {day_sql}", [*owner_params, *day_params]


def closed_totals(
    user: Any, owners: frozenset[int] | None, start: date | None, end: date | None
) -> ClosedTotals | None:
    """The deals ``user`` may see, of ``owners``, closed on ``start``..``end`` (local days of the
    current zone, either open): None when the rollup cannot answer (read the deals)."""
    if not _usable():
        return None
    where, params = _where(user, owners, start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT coalesce(sum(deals) FILTER (WHERE status = %s), 0),
                       coalesce(sum(deals) FILTER (WHERE status = %s), 0),
                       sum(amount) FILTER (WHERE status = %s AND amounts > 0),
                       coalesce(sum(cycle_us) FILTER (WHERE status = %s), 0),
                       coalesce(sum(cycles) FILTER (WHERE status = %s), 0)
                FROM {DAILY} WHERE {where}""",
            [DealStatus.WON, DealStatus.LOST, DealStatus.WON, DealStatus.WON, DealStatus.WON, *params],
        )
        won, lost, amount, cycle_us, cycles = cursor.fetchone()
    return ClosedTotals(int(won), int(lost), amount, Decimal(cycle_us), int(cycles))


def won_by_month(user: Any, owners: frozenset[int] | None, start: date, end: date) -> dict[date, Decimal | None] | None:
    """Won amounts per first day of month over ``start``..``end``; None when the rollup cannot answer."""
    if not _usable():
        return None
    where, params = _where(user, owners, start, end)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT date_trunc('month', day)::date, sum(amount) FILTER (WHERE amounts > 0)
                FROM {DAILY} WHERE status = %s AND {where} GROUP BY 1""",
            [DealStatus.WON, *params],
        )
        return dict(cursor.fetchall())


def deal_ids_of(events: Sequence[Any]) -> list[int]:
    return [int(event.record_id) for event in events if event.entity == "deal"]


def consume(events: Sequence[Any]) -> None:
    """The outbox consumer (registered in ``AnalyticsConfig.ready``): every deal event brings that
    deal's figures up to date. Idempotent: a redelivered event recomputes the same contribution."""
    apply_changes(deal_ids_of(events))


# A rebuild is asked for when the rates, zone or currency changed, and made due nightly.
REBUILD_DELAY = timedelta(minutes=1)
