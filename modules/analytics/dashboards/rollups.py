"""Per-tenant rollup tables kept current from the outbox, for the dashboard widgets that would
otherwise read every record: open deals (``modules.sales.open_deals_rollup``), done and open
activities (``modules.activities.dashboard_rollup``) and cases — open, opened and solved per day
(``modules.service.dashboard_rollup``). The closed deals' rollup (``closed_deals_rollup``) came
first and works the same way, with its state in the same ``RollupState`` table.

A ``Rollup`` is a fact table (one row per record: the keys it is counted under and its amount) and
a group table (per combination of keys: how many records, the sum of their amounts). The modules
describe theirs and register them from their ``ready()``; this file builds, updates and checks
them, so they answer exactly what the records answer:

- the outbox consumer ``analytics-rollups`` takes each changed record's fact out of its group and
  puts its current one in, in two statements under a per-schema advisory lock (a redelivered event
  recomputes the same); a deleted record has no current fact;
- ``RollupState`` records the zone (local days), base currency and exchange rates in force (open
  deals convert at today's rate) it was built under; while the reader's differ the widgets read the
  records, and a rebuild is asked for through the analysis refreshes when the workspace's do;
- the nightly rebuild (``tasks.rebuild_all_deal_rollups``) repairs what reached the records
  without an event (an owner's account deleted, a fix in SQL);
- whether a widget's figures came from a rollup, or from the records while one is rebuilt, is
  noted for the freshness the widget shows (``freshness``).
"""

# The SQL below names the models' own tables and columns; every value is a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from identity.time_zones import zone_of
from identity.visibility import visible_owner_ids
from modules.analytics.dashboards import freshness
from modules.analytics.dashboards.models import RollupState
from modules.contacts.models import ExchangeRate
from modules.contacts.services.money import base_currency
from modules.registry import enabled_module_keys

RATES = ExchangeRate._meta.db_table
STATE = RollupState._meta.db_table
REBUILD_DELAY = timedelta(minutes=1)

# Each currency's rate in force on %(today)s, as ``builtin_support.in_base`` picks it.
RATES_IN_FORCE = f"""
    SELECT md5(coalesce(string_agg(currency || ':' || rate, ',' ORDER BY currency), ''))
    FROM (SELECT DISTINCT ON (currency) currency, rate FROM {RATES}
          WHERE valid_from <= %(today)s ORDER BY currency, valid_from DESC) AS in_force
"""


@dataclass(frozen=True)
class Rollup:
    key: str
    # The outbox entity whose events change the records (``deal``, ``activity``, ``case``).
    entity: str
    # The modules the tenant's plan must hold for it to be built.
    needs: frozenset[str]
    facts: type[models.Model]
    groups: type[models.Model]
    # The columns shared by the facts and the groups (the groups' unique key).
    keys: tuple[str, ...]
    # ``SELECT <record id>, <keys>[, amount] FROM … WHERE …``: every record's fact; the parameters
    # ``%(zone)s``, ``%(currency)s`` and ``%(today)s`` are the state's.
    fact_rows: str
    # The record id's expression in ``fact_rows``, narrowed to ``%(ids)s`` for an update.
    record_id: str
    # Facts carry ``amount``; groups ``amount`` (sum) and ``amounts`` (how many had one).
    amount: bool = False
    # Keys hold local days of the workspace's zone: only a reader in that zone may read it.
    by_day: bool = False
    # Amounts are in the base currency at the rates in force today.
    converts: bool = False
    delay: timedelta = REBUILD_DELAY

    @property
    def record_column(self) -> str:
        """The facts' primary key: the record's id (``deal_id``)."""
        return str(self.facts._meta.pk.column)  # type: ignore[union-attr]

    @property
    def fact_columns(self) -> str:
        return ", ".join([self.record_column, *self.keys, *(["amount"] if self.amount else [])])

    def table(self, model: type[models.Model]) -> str:
        return model._meta.db_table


_ROLLUPS: dict[str, Rollup] = {}


def register_rollup(rollup: Rollup) -> None:
    """Called from a module's ``ready()``: the rollup is built, kept current and rebuilt with the
    others (the analysis refresh ``rollup.key`` rebuilds it)."""
    from modules.analytics.refresh.services import AnalysisRefresh, register_analysis

    _ROLLUPS[rollup.key] = rollup
    register_analysis(AnalysisRefresh(key=rollup.key, run=lambda: rebuild(rollup), delay=rollup.delay))


def registered_rollups() -> list[Rollup]:
    return list(_ROLLUPS.values())


def _add_to_groups(rollup: Rollup, source: str, sign: str) -> str:
    """``source`` facts added to (sign ``""``) or taken from (``-``) the group rows."""
    groups, keys = rollup.table(rollup.groups), ", ".join(rollup.keys)
    columns, sums, updates = [*rollup.keys, "records"], [f"{sign}count(*)"], ["records"]
    if rollup.amount:
        columns += ["amount", "amounts"]
        sums += [f"{sign}coalesce(sum(amount), 0)", f"{sign}count(amount)"]
        updates += ["amount", "amounts"]
    assignments = ", ".join(f"{name} = {groups}.{name} + EXCLUDED.{name}" for name in updates)
    return f"""
        INSERT INTO {groups} ({", ".join(columns)})
        SELECT {keys}, {", ".join(sums)} FROM {source} GROUP BY {keys}
        ON CONFLICT ({keys}) DO UPDATE SET {assignments}
    """


def tenant_zone() -> str:
    """The workspace's zone as the pages resolve it (``identity.time_zones``)."""
    return str(zone_of(None, getattr(connection, "tenant", None)) or timezone.get_default_timezone())


def _lock(cursor: Any, rollup: Rollup) -> None:
    """One writer of the current schema's rollup at a time (until the transaction ends)."""
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':' || %s))", [rollup.key])


def _workspace_basis(rollup: Rollup) -> dict[str, Any]:
    """The zone, currency and day of rates the workspace's figures are computed under now."""
    zone = tenant_zone()
    with timezone.override(zone):
        today = timezone.localdate()
    return {"zone": zone, "currency": base_currency(), "today": today}


def rebuild(rollup: Rollup) -> int:
    """Build the current tenant's rollup from every record; how many facts it holds. Does nothing
    for a tenant whose plan lacks what it reads."""
    if not enabled_module_keys(getattr(connection, "tenant", None)) >= rollup.needs:
        return 0
    params = _workspace_basis(rollup)
    facts, groups = rollup.table(rollup.facts), rollup.table(rollup.groups)
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor, rollup)
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(f"TRUNCATE {facts}")
        cursor.execute(f"INSERT INTO {facts} ({rollup.fact_columns}) {rollup.fact_rows}", params)
        count = cursor.rowcount
        # Readers keep seeing the old rows until this commits (a DELETE, not a TRUNCATE).
        cursor.execute(f"DELETE FROM {groups}")
        cursor.execute(_add_to_groups(rollup, facts, ""))
        rates = ""
        if rollup.converts:
            cursor.execute(RATES_IN_FORCE, params)
            (rates,) = cursor.fetchone()
        now = timezone.now()
        RollupState.objects.update_or_create(
            key=rollup.key,
            defaults={"zone": params["zone"], "currency": params["currency"], "rates_day": params["today"],
                      "rates": rates, "built_at": now, "synced_at": now},
        )  # fmt: skip
    return count


def apply_changes(rollup: Rollup, record_ids: Sequence[int]) -> None:
    """Bring the rollup up to date for these records (changed, created or deleted): each one's old
    fact out, its current one in. Nothing happens before the first build."""
    ids = sorted(set(record_ids))
    if not ids:
        return
    facts, groups = rollup.table(rollup.facts), rollup.table(rollup.groups)
    record = rollup.record_column
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor, rollup)
        state = RollupState.objects.filter(key=rollup.key).first()
        if state is None:
            return
        params = {"ids": ids, "zone": state.zone, "currency": state.currency, "today": state.rates_day}
        taken = f"WITH old AS (DELETE FROM {facts} WHERE {record} = ANY(%(ids)s) RETURNING *) "
        cursor.execute(taken + _add_to_groups(rollup, "old", "-"), params)
        put = (
            f"WITH new AS (INSERT INTO {facts} ({rollup.fact_columns}) {rollup.fact_rows} "
            f"AND {rollup.record_id} = ANY(%(ids)s) RETURNING *) "
        )
        cursor.execute(put + _add_to_groups(rollup, "new", ""), params)
        # Groups nobody is counted in any more are dropped (the widgets list groups, not zeros).
        cursor.execute(f"DELETE FROM {groups} WHERE records = 0")
        RollupState.objects.filter(key=rollup.key).update(synced_at=timezone.now())


def usable(rollup: Rollup) -> bool:
    """Whether the rollup answers for the current reader (their zone and today's rates) — one
    query; asks for a rebuild when the workspace moved on from what it was built under (or it was
    never built)."""
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT zone, currency, rates, ({RATES_IN_FORCE}) FROM {STATE} WHERE key = %(key)s",
            {"key": rollup.key, "today": today},
        )
        row = cursor.fetchone()
    workspace = _workspace_basis(rollup)
    if row is None or _stale(rollup, row, workspace):
        from modules.analytics.refresh.services import ask_for_refresh

        ask_for_refresh(rollup.key)
        freshness.rollup_rebuilding()
        return False
    zone, _currency, rates, rates_now = row
    if rollup.converts and rates != rates_now:
        return False  # the reader's today has other rates in force than the workspace's
    if rollup.by_day and zone != str(timezone.get_current_timezone()):
        return False
    freshness.answered_from_rollup(rollup.entity)
    return True


def _stale(rollup: Rollup, row: Sequence[Any], workspace: dict[str, Any]) -> bool:
    zone, currency, rates, _rates_now = row
    if rollup.by_day and zone != workspace["zone"]:
        return True
    if not rollup.converts:
        return False
    if currency != workspace["currency"]:
        return True
    with connection.cursor() as cursor:
        cursor.execute(RATES_IN_FORCE, {"today": workspace["today"]})
        return bool(cursor.fetchone()[0] != rates)


def owners_condition(user: Any, owners: frozenset[int] | None, column: str) -> tuple[str, list[Any]]:
    """SQL narrowing ``column`` to the owners ``user`` may see (``identity.visibility``) and the
    dashboard's owner filter; ``TRUE`` when neither narrows."""
    visible = visible_owner_ids(user)
    if visible is None and owners is None:
        return "TRUE", []
    allowed: set[int] = set(visible) if visible is not None else set(owners or ())
    if visible is not None and owners is not None:
        allowed &= set(owners)
    return f"{column} = ANY(%s)", [sorted(allowed)]


def day_condition(start: date | None, end: date | None) -> tuple[str, list[Any]]:
    conditions, params = ["TRUE"], []
    if start is not None:
        conditions.append("day >= %s")
        params.append(start)
    if end is not None:
        conditions.append("day <= %s")
        params.append(end)
    return " AND ".join(conditions), params


def consume(events: Sequence[Any]) -> None:
    """The outbox consumer (registered in ``DashboardsConfig.ready``): each rollup brings the
    records its entity's events name up to date."""
    for rollup in _ROLLUPS.values():
        ids = [int(event.record_id) for event in events if event.entity == rollup.entity and event.record_id]
        if ids:
            apply_changes(rollup, ids)
