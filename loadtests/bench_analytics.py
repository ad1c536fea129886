"""Saved reports over a million records: the report builder's execution code against the same
GROUP BY written by hand and sent through psycopg, in one run.

One bench tenant gets a sales team (a manager, who sees the team's records, and reps, who see their
own) and other owners outside it, exchange rates for three currencies on several dates, then
deals in four currencies and activities written by SQL (``INSERT … SELECT generate_series``). Each
report is a saved ``Report`` run through ``run_saved`` (definition checked, visibility applied,
money converted to the base currency, buckets in the tenant's zone) as the user named; its baseline
is a hand-written query returning the same groups, and the two results are compared, so a fast
figure is never a wrong one.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from identity.models import Role, Team, User
from loadtests import report
from loadtests.support import BENCH_SLUG_PREFIX, create_tenant, log, server_version
from modules.activities.models import Activity
from modules.contacts.demo.bulk import _indexes_dropped
from modules.registry import OPTIONAL_MODULE_KEYS
from modules.sales.models import Deal
from tenants.models import Tenant
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}analytics"
WARM_UP = 2
# Rows per INSERT: a statement's deferred foreign-key checks are queued in memory until it ends.
BATCH = 100_000
TEAM_REPS = 8
OTHER_OWNERS = 12
CURRENCIES = ("EUR", "EUR", "USD", "RON", "GBP")  # the base currency twice: most deals are in it
# Rates a year apart and one in the future, which no report may use yet.
RATES = {"USD": ("0.91", "0.93", "0.95"), "RON": ("0.2005", "0.2010", "0.2012"), "GBP": ("1.15", "1.17", "1.19")}

DEALS_SQL = """
INSERT INTO sales_deal (name, pipeline_id, stage_id, status, amount, currency, expected_close_date, owner_id,
    company_id, contact_id, description, closed_at, lost_reason_id, lost_note, stage_entered_at, created_by_id,
    created_at, updated_at)
SELECT 'Deal ' || g, %(pipeline)s, (%(stages)s::bigint[])[1 + g %% %(stage_count)s],
       (%(statuses)s::text[])[1 + g %% %(stage_count)s], (1 + (g::bigint * 7919) %% 400) * 250.00,
       (%(currencies)s::text[])[1 + (g / 7) %% %(currency_count)s],
       current_date - 400 + (g * 31) %% 520, (%(owners)s::bigint[])[1 + (g / 3) %% %(owner_count)s],
       NULL, NULL, '', NULL, NULL, '', now() - make_interval(hours => g %% 9000),
       (%(owners)s::bigint[])[1 + (g / 3) %% %(owner_count)s],
       now() - make_interval(hours => g %% 9000), now() - make_interval(hours => g %% 9000)
FROM generate_series(%(first)s, %(last)s) AS g
"""
ACTIVITIES_SQL = """
INSERT INTO activities_activity (kind, subject, body, status, priority, direction, due_at, all_day, location,
    outcome, outcome_note, completed_at, assignee_id, company_id, contact_id, created_by_id, created_at, updated_at)
SELECT (ARRAY['call', 'task', 'email', 'meeting'])[1 + g %% 4], 'Activity ' || g, '',
       CASE WHEN g %% 5 = 0 THEN 'open' ELSE 'done' END, 'normal', '',
       now() - make_interval(mins => (g * 37) %% (240 * 24 * 60)), false, '', '', '',
       NULL, (%(owners)s::bigint[])[1 + (g / 5) %% %(owner_count)s], NULL, NULL,
       (%(owners)s::bigint[])[1 + (g / 5) %% %(owner_count)s], now(), now()
FROM generate_series(%(first)s, %(last)s) AS g
"""
# The same groups as the saved deals report, by hand: rates picked once per currency.
DEALS_BASELINE = """
WITH rates AS (
    SELECT DISTINCT ON (currency) currency, rate FROM contacts_exchangerate
    WHERE valid_from <= %(today)s ORDER BY currency, valid_from DESC
)
SELECT d.stage_id, date_trunc('month', d.expected_close_date::timestamp)::date,
       sum(CASE WHEN d.currency = %(base)s THEN d.amount ELSE round(d.amount * r.rate, 2) END), count(*)
FROM sales_deal d LEFT JOIN rates r ON r.currency = d.currency
WHERE d.owner_id = ANY(%(owners)s)
GROUP BY 1, 2
"""
ACTIVITIES_BASELINE = """
SELECT a.assignee_id, date_trunc('week', a.due_at AT TIME ZONE %(zone)s)::date, count(*)
FROM activities_activity a
WHERE a.assignee_id = ANY(%(owners)s)
GROUP BY 1, 2
"""
DEALS_DEFINITION = {
    "group_by": [{"field": "stage"}, {"field": "expected_close_date", "bucket": "month"}],
    "measures": [{"fn": "sum", "field": "amount"}, {"fn": "count"}],
}
ACTIVITIES_DEFINITION = {
    "group_by": [{"field": "assignee"}, {"field": "due_at", "bucket": "week"}],
    "measures": [{"fn": "count"}],
}


@dataclass
class Results:
    rows: dict[str, tuple[str, list[float], str | None]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    plans: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, label: str, samples: list[float], baseline: str | None = None) -> None:
        self.rows[key] = (label, samples, baseline)
        log(f"analytics: {label}: median {statistics.median(samples) * 1000:.0f} ms, p95 {p95(samples) * 1000:.0f} ms")


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18] if len(samples) > 1 else samples[0]


def _measure(fetch: Callable[[], Any], samples: int) -> list[float]:
    for _ in range(WARM_UP):
        fetch()
    timings = []
    for _ in range(samples):
        start = time.perf_counter()
        fetch()
        timings.append(time.perf_counter() - start)
    return timings


def run(deals: int, activities: int, samples: int) -> tuple[str, list[str]]:
    log(f"analytics: creating {SLUG} with {deals:,} deals and {activities:,} activities")
    tenant = create_tenant(SLUG, "clone")
    tenant.enabled_modules = list(OPTIONAL_MODULE_KEYS)
    tenant.save(update_fields=["enabled_modules"])
    results = Results()
    try:
        with tenant_context(tenant):
            users = _people()
            _fill(results, users, deals, activities)
            _measure_reports(results, tenant, users, samples)
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
    return _section(results, samples), results.failures


@dataclass(frozen=True)
class People:
    manager: User
    rep: User
    team: list[int]
    everyone: list[int]


def _people() -> People:
    from identity.services.roles import ensure_system_roles

    roles = ensure_system_roles()
    team = Team.objects.create(name="Bench sales")

    def person(key: str, index: int, role: Role, in_team: bool) -> User:
        user = User.objects.create(email=f"{key}{index}@{SLUG}.test", full_name=f"{key.title()} {index}", role=role)
        if in_team:
            user.teams.add(team)
        return user

    manager = person("manager", 0, roles["manager"], True)
    reps = [person("rep", index, roles["sales_rep"], True) for index in range(TEAM_REPS)]
    others = [person("other", index, roles["sales_rep"], False) for index in range(OTHER_OWNERS)]
    team_ids = [manager.pk, *(rep.pk for rep in reps)]
    return People(manager, reps[0], team_ids, team_ids + [other.pk for other in others])


def seed_pipeline_and_rates(first_rate_days_ago: int) -> tuple[Any, list[Any]]:
    """The bench tenant's default pipeline and its stages in order, after writing ``RATES``: the
    first rate of each currency ``first_rate_days_ago`` days back, one a month back and one a month
    ahead (which no figure may use yet). Shared by the analytics benches."""
    from modules.contacts.models import ExchangeRate
    from modules.sales.models import Pipeline
    from modules.sales.services.pipelines import seed_sales

    seed_sales()
    today = timezone.localdate()
    for currency, rates in RATES.items():
        for offset, rate in zip((-first_rate_days_ago, -30, 30), rates, strict=True):
            ExchangeRate.objects.create(
                currency=currency, rate=Decimal(rate), valid_from=today + timedelta(days=offset)
            )
    pipeline = Pipeline.objects.get(is_default=True)
    return pipeline, list(pipeline.stages.order_by("position", "id"))


def _fill(results: Results, people: People, deals: int, activities: int) -> None:
    pipeline, stages = seed_pipeline_and_rates(400)
    statuses = {"open": "open", "won": "won", "lost": "lost"}
    deal_params = {
        "pipeline": pipeline.pk, "stages": [stage.pk for stage in stages],
        "statuses": [statuses[str(stage.kind)] for stage in stages], "stage_count": len(stages),
        "currencies": list(CURRENCIES), "currency_count": len(CURRENCIES),
        "owners": people.everyone, "owner_count": len(people.everyone),
    }  # fmt: skip
    activity_params = {"owners": people.everyone, "owner_count": len(people.everyone)}
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        results.facts["deals_seconds"] = _insert(cursor, Deal, DEALS_SQL, deal_params, deals)
        results.facts["activities_seconds"] = _insert(cursor, Activity, ACTIVITIES_SQL, activity_params, activities)
        for table in ("sales_deal", "activities_activity", "contacts_exchangerate"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM sales_deal")
        results.facts["deals"] = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM activities_activity")
        results.facts["activities"] = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM sales_deal WHERE owner_id = ANY(%s)", [people.team])
        results.facts["team_deals"] = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM sales_deal WHERE owner_id = %s", [people.rep.pk])
        results.facts["rep_deals"] = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM activities_activity WHERE assignee_id = ANY(%s)", [people.team])
        results.facts["team_activities"] = int(cursor.fetchone()[0])


def _insert(cursor: Any, model: type[Model], sql: str, params: dict[str, Any], rows: int) -> float:
    """``rows`` rows by ``sql`` in statements of at most ``BATCH`` rows, with the table's secondary
    indexes dropped and built again afterwards (as ``generate_records`` loads); the seconds it took."""
    start = time.perf_counter()
    with _indexes_dropped(model, rows):
        for first in range(1, rows + 1, BATCH):
            cursor.execute(sql, {**params, "first": first, "last": min(first + BATCH - 1, rows)})
    return time.perf_counter() - start


def _measure_reports(results: Results, tenant: Tenant, people: People, samples: int) -> None:
    from modules.analytics.reports.execution import current_context
    from modules.analytics.reports.models import Report
    from modules.analytics.reports.running import run_saved
    from modules.record_access import RecordAccess

    context = current_context()
    results.facts["zone"] = context.zone
    results.facts["work_mem"] = settings.REPORT_WORK_MEM
    deals_report = Report.objects.create(
        name="Deals by stage and close month", source="deals", definition=DEALS_DEFINITION, owner=people.manager
    )
    activities_report = Report.objects.create(
        name="Activities by owner and week", source="activities", definition=ACTIVITIES_DEFINITION,
        owner=people.manager,
    )  # fmt: skip
    cases = (
        ("deals", "saved report: deals by stage × close month, sum of amount in base currency + count, manager",
         deals_report, people.manager, DEALS_BASELINE, people.team),
        ("activities", "saved report: activities by assignee × week (due), count, manager",
         activities_report, people.manager, ACTIVITIES_BASELINE, people.team),
        ("rep", "saved report: deals by stage × close month as a rep (own deals only)",
         deals_report, people.rep, DEALS_BASELINE, [people.rep.pk]),
    )  # fmt: skip
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as raw:
        raw.execute(f'SET search_path TO "{tenant.schema_name}", public')
        # The memory the report's query gets (``execution.report_memory``), for its plan and the baseline alike.
        raw.execute("SELECT set_config('work_mem', %s, false)", [settings.REPORT_WORK_MEM])
        for key, label, saved, user, baseline_sql, owners in cases:
            params = {"today": context.today, "base": context.base_currency, "zone": context.zone, "owners": owners}

            def by_hand(sql: str = baseline_sql, params: dict[str, Any] = params) -> list[tuple[Any, ...]]:
                return raw.execute(sql, params).fetchall()

            def through_report(saved: Report = saved, user: User = user) -> Any:
                return run_saved(saved, user, RecordAccess(user, tenant))

            _check_same(results, key, through_report(), by_hand())
            with CaptureQueriesContext(connection) as captured:
                through_report()
            grouped = [query["sql"] for query in captured.captured_queries if "GROUP BY" in query["sql"]]
            heaviest = max(grouped or [query["sql"] for query in captured.captured_queries], key=len)
            results.plans[key] = "\n".join(
                str(row[0]) for row in raw.execute(("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + heaviest).encode())
            )
            results.facts[f"queries:{key}"] = len(captured.captured_queries)
            results.add(f"sql:{key}", "… the same GROUP BY by hand, via psycopg", _measure(by_hand, samples))
            results.add(key, label, _measure(through_report, samples), f"sql:{key}")


def _check_same(results: Results, key: str, result: Any, rows: list[tuple[Any, ...]]) -> None:
    """The report's groups and figures equal the hand-written query's."""
    from_report = {tuple(row.keys): tuple(row.values) for row in result.rows}
    by_hand = {(row[0], row[1].isoformat()): tuple(row[2:]) for row in rows}
    if key != "activities":
        by_hand = {group: (Decimal(values[0]), values[1]) for group, values in by_hand.items()}
    results.facts[f"groups:{key}"] = len(from_report)
    if result.truncated or from_report != by_hand:
        differing = sorted(set(from_report.items()) ^ set(by_hand.items()), key=str)[:3]
        results.failures.append(f"{key}: the report's figures differ from the SQL's, e.g. {differing}")


def _table(results: Results, keys: tuple[str, ...]) -> str:
    rows = []
    for key in keys:
        if key not in results.rows:
            continue
        label, samples, baseline = results.rows[key]
        ratio = "—"
        if baseline in results.rows:
            ratio = f"{p95(samples) / p95(results.rows[baseline][1]):.2f}×"
        rows.append([
            label, report.milliseconds(statistics.median(samples)), report.milliseconds(p95(samples)),
            report.milliseconds(min(samples)), report.milliseconds(max(samples)), ratio,
            str(results.facts.get(f"queries:{key}", "")), str(results.facts.get(f"groups:{key}", "")),
        ])  # fmt: skip
    return report.table(["measurement", "median", "p95", "min", "max", "p95 vs SQL", "queries", "groups"], rows)


def _section(results: Results, samples: int) -> str:
    facts = results.facts
    keys = ("deals", "sql:deals", "activities", "sql:activities", "rep", "sql:rep")
    plans = "\n\n".join(f"`{key}`:\n\n```\n{plan}\n```" for key, plan in results.plans.items())
    failures = (
        "\n".join(f"- **FAILED** {failure}" for failure in results.failures)
        if results.failures
        else "- none: every report returned the same groups and figures as its hand-written SQL."
    )
    return f"""
## Reports over a million records: the report builder vs a hand-written GROUP BY

_{report.machine(server_version())}_

One bench tenant with **{facts.get("deals", 0):,} deals** (in EUR, the base currency, and USD, RON
and GBP, each with rates on three dates, one still ahead) and **{facts.get("activities", 0):,}
activities**, written by `INSERT … SELECT generate_series` ({facts.get("deals_seconds", 0):.0f} s and
{facts.get("activities_seconds", 0):.0f} s), owned by a team of {TEAM_REPS + 1} (a manager who sees the
team's records: {facts.get("team_deals", 0):,} deals, {facts.get("team_activities", 0):,} activities;
a rep who sees own: {facts.get("rep_deals", 0):,} deals) and {OTHER_OWNERS} owners outside it. Each
report is a saved report run through `run_saved` (the definition checked, the reader's visibility,
money converted at the latest rate on or before today, buckets in the tenant's zone
{facts.get("zone", "")}), {samples} times after {WARM_UP} warm-up runs; its baseline, in the same run,
is the same GROUP BY written by hand (rates picked once per currency) through a raw psycopg
connection with the same `work_mem` as the report's query (`REPORT_WORK_MEM`, {facts.get("work_mem", "")}), and
both results are compared group by group before anything is timed.

{_table(results, keys)}

The plans of the reports' queries (`EXPLAIN ANALYZE`):

{plans}

Reports that could not be measured or disagreed with their SQL:

{failures}
"""
