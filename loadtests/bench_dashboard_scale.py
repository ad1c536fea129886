"""A 20-widget dashboard over 10,000,000 rows (`make bench BENCH_ARGS="--only dashboard_scale"`):
the same dashboard read from the records themselves and with the rollups (the closed deals',
``modules.analytics.dashboards.closed_deals_rollup``, and the open deals', done activities' and
cases' of ``rollups``), cold and warm, p50 and p95.

The bench tenant gets nine tenths of the rows as deals, and the last tenth as activities and (one in
a hundred rows) cases, written by SQL
(``INSERT … SELECT generate_series``, the tables' secondary indexes dropped and built again as
``generate_records`` loads): 1 % of the deals open, the others won (two in three) or lost, closed
over the last five years, in four currencies. Its administrator (who sees every record) builds a
dashboard of every widget kind the plan offers plus saved reports up to twenty widgets, read under
"this fiscal year". A load is the grid page and then each widget's endpoint in turn, through
Django's test client (an upper bound: a browser fetches the widgets side by side).

*Cold* is the first load of the dashboard in each mode on a new database connection in a process
that has not read it before (empty catalogue and plan caches; PostgreSQL's buffers and the page
cache as the load left them, not a restarted machine); *warm* are the loads after two more.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from identity.models import User
from loadtests import report
from loadtests.bench_analytics import CURRENCIES, People, _insert, _people, p95, seed_pipeline_and_rates
from loadtests.support import BENCH_SLUG_PREFIX, create_tenant, log, server_version
from modules.activities.models import Activity
from modules.analytics.dashboards.loading import widget_title
from modules.analytics.dashboards.models import ClosedDealsDaily, RollupState, Widget
from modules.analytics.dashboards.services import add_widget, create_dashboard
from modules.analytics.dashboards.widgets import available_widgets
from modules.analytics.reports.services import create_report
from modules.registry import OPTIONAL_MODULE_KEYS
from modules.sales.models import Deal
from modules.service.models import Case
from tenants.models import Tenant
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}dashboard-scale"
PERIOD = "this_year"
WIDGETS = 20
WARM_UP = 2
YEAR_MINUTES = 365 * 24 * 60

DEALS_SQL = """
INSERT INTO sales_deal (name, pipeline_id, stage_id, status, amount, currency, expected_close_date, owner_id,
    company_id, contact_id, description, closed_at, lost_reason_id, lost_note, stage_entered_at, created_by_id,
    created_at, updated_at)
SELECT 'Deal ' || g, %(pipeline)s,
       CASE WHEN g %% 100 = 0 THEN (%(open_stages)s::bigint[])[1 + (g / 100) %% %(open_stage_count)s]
            WHEN g %% 3 = 0 THEN %(lost)s ELSE %(won)s END,
       CASE WHEN g %% 100 = 0 THEN 'open' WHEN g %% 3 = 0 THEN 'lost' ELSE 'won' END,
       (1 + (g::bigint * 7919) %% 400) * 250.00,
       (%(currencies)s::text[])[1 + (g / 7) %% %(currency_count)s],
       current_date - 1800 + (g * 31) %% 1900, (%(owners)s::bigint[])[1 + (g / 3) %% %(owner_count)s],
       NULL, NULL, '',
       CASE WHEN g %% 100 = 0 THEN NULL
            ELSE now() - make_interval(mins => ((g::bigint * 7919) %% %(span)s)::int) END,
       NULL, '', now() - make_interval(hours => g %% 2000), (%(owners)s::bigint[])[1 + (g / 3) %% %(owner_count)s],
       now() - make_interval(mins => ((g::bigint * 7919) %% %(span)s)::int) - make_interval(days => 1 + g %% 120),
       now()
FROM generate_series(%(first)s, %(last)s) AS g
"""
# Four in five done, completed when they were due, over the last two years.
ACTIVITIES_SQL = """
INSERT INTO activities_activity (kind, subject, body, status, priority, direction, due_at, all_day, location,
    outcome, outcome_note, completed_at, assignee_id, company_id, contact_id, created_by_id, created_at, updated_at)
SELECT (ARRAY['call', 'task', 'email', 'meeting'])[1 + g %% 4], 'Activity ' || g, '',
       CASE WHEN g %% 5 = 0 THEN 'open' ELSE 'done' END, 'normal', '',
       now() - make_interval(mins => ((g::bigint * 37) %% (730 * 1440))::int), false, '', '', '',
       CASE WHEN g %% 5 = 0 THEN NULL ELSE now() - make_interval(mins => ((g::bigint * 37) %% (730 * 1440))::int) END,
       (%(owners)s::bigint[])[1 + (g / 5) %% %(owner_count)s], NULL, NULL,
       (%(owners)s::bigint[])[1 + (g / 5) %% %(owner_count)s], now(), now()
FROM generate_series(%(first)s, %(last)s) AS g
"""
# One in five open (spread over the open statuses), the others solved or closed a day or two after a
# first reply; over the last two years, through every channel and priority, in four queues.
CASES_SQL = """
INSERT INTO service_case (number, subject, description, contact_id, company_id, channel, priority, status_id,
    category_id, team_id, owner_id, deal_id, order_id, product_id, language, merged_into_id, status_changed_at,
    first_response_at, solved_at, closed_at, last_customer_message_at, last_agent_message_at, custom,
    created_by_id, created_at, updated_at)
SELECT 'B-' || g, 'Case ' || g, '', NULL, NULL, (ARRAY['email', 'portal', 'phone', 'agent'])[1 + g %% 4],
       (ARRAY['low', 'normal', 'normal', 'high', 'urgent'])[1 + (g / 4) %% 5],
       CASE WHEN g %% 5 = 0 THEN (%(open_statuses)s::bigint[])[1 + (g / 5) %% %(open_count)s]
            ELSE (%(done_statuses)s::bigint[])[1 + g %% %(done_count)s] END,
       NULL, NULL, CASE WHEN g %% 7 = 0 THEN NULL ELSE (%(owners)s::bigint[])[1 + (g / 7) %% %(owner_count)s] END,
       NULL, NULL, NULL, '', NULL, NULL,
       now() - make_interval(mins => ((g::bigint * 53) %% (730 * 1440))::int) + make_interval(hours => 1 + g %% 20),
       CASE WHEN g %% 5 = 0 THEN NULL
            ELSE now() - make_interval(mins => ((g::bigint * 53) %% (730 * 1440))::int)
                 + make_interval(hours => 24 + g %% 40) END,
       NULL, NULL, NULL, '{}', NULL, now() - make_interval(mins => ((g::bigint * 53) %% (730 * 1440))::int), now()
FROM generate_series(%(first)s, %(last)s) AS g
"""
REPORTS = (
    ("Deals by stage", "deals", {"group_by": [{"field": "stage"}], "measures": [{"fn": "count"}]}),
    ("Activities by kind", "activities", {"group_by": [{"field": "kind"}], "measures": [{"fn": "count"}]}),
    ("Deals", "deals", {"measures": [{"fn": "count"}]}),
    (
        "Won amount by owner",
        "deals",
        {"group_by": [{"field": "owner"}], "measures": [{"fn": "sum", "field": "amount"}]},
    ),
)


def run(rows: int, samples: int) -> tuple[str, list[str]]:
    deals, activities, cases = rows - rows // 10, rows // 10 - rows // 100, rows // 100
    log(f"dashboard scale: creating {SLUG} with {deals:,} deals, {activities:,} activities and {cases:,} cases")
    tenant = create_tenant(SLUG, "clone")
    tenant.enabled_modules = list(OPTIONAL_MODULE_KEYS)
    tenant.save(update_fields=["enabled_modules"])
    facts: dict[str, Any] = {}
    timings: dict[str, dict[str, list[float]]] = {}
    failures: list[str] = []
    try:
        with tenant_context(tenant):
            people = _people()
            params = _seed(people)
            admin = User.objects.filter(role__key="admin").order_by("id").first()
            if admin is None:
                raise RuntimeError(f"the bench tenant {SLUG} has no admin")
            paths = _dashboard(tenant, admin, facts)
            # Every endpoint answers on the empty tenant before the long load (a broken one fails now).
            _section(_measure(tenant, admin, paths, 1, failures, {}), facts, 1)
            if failures:
                raise RuntimeError("; ".join(failures))
            _fill(facts, params, deals, activities, cases)
            timings = _measure(tenant, admin, paths, samples, failures, facts)
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
    return _section(timings, facts, samples), failures


def _measure(
    tenant: Tenant,
    admin: User,
    paths: Sequence[tuple[str, str]],
    samples: int,
    failures: list[str],
    facts: dict[str, Any],
) -> dict[str, dict[str, list[float]]]:
    """The dashboard read from the records (no rollup), then with every rollup built."""
    from modules.analytics.dashboards import closed_deals_rollup, rollups

    timings: dict[str, dict[str, list[float]]] = {}
    RollupState.objects.all().delete()
    timings["deals"] = _loads(tenant, admin, paths, max(samples // 4, 3) if samples > 1 else 1, failures)
    started = time.perf_counter()
    facts["rollup_facts"] = closed_deals_rollup.rebuild()
    facts["rollup_seconds"] = time.perf_counter() - started
    facts["rollup_rows"] = ClosedDealsDaily.objects.count()
    facts["other_rollups"] = []
    for rollup in rollups.registered_rollups():
        started = time.perf_counter()
        built = rollups.rebuild(rollup)
        seconds = time.perf_counter() - started
        facts["other_rollups"].append((rollup.key, built, rollup.groups.objects.count(), seconds))  # type: ignore[attr-defined]
    timings["rollup"] = _loads(tenant, admin, paths, samples, failures)
    return timings


def _seed(people: People) -> dict[str, Any]:
    """The pipeline and exchange rates (from before the oldest close); the parameters of the deals' SQL."""
    from modules.service.choices import ACTIVE_CATEGORIES
    from modules.service.models import CaseStatus
    from modules.service.services.statuses import seed_service

    pipeline, stages = seed_pipeline_and_rates(2000)
    open_stages = [stage.pk for stage in stages if stage.kind == "open"]
    seed_service()
    open_statuses = list(CaseStatus.objects.filter(category__in=ACTIVE_CATEGORIES).values_list("pk", flat=True))
    done_statuses = list(CaseStatus.objects.exclude(category__in=ACTIVE_CATEGORIES).values_list("pk", flat=True))
    return {
        "open_statuses": open_statuses, "open_count": len(open_statuses),
        "done_statuses": done_statuses, "done_count": len(done_statuses),
        "pipeline": pipeline.pk, "open_stages": open_stages, "open_stage_count": len(open_stages),
        "won": next(stage.pk for stage in stages if stage.kind == "won"),
        "lost": next(stage.pk for stage in stages if stage.kind == "lost"),
        "currencies": list(CURRENCIES), "currency_count": len(CURRENCIES),
        "owners": people.everyone, "owner_count": len(people.everyone), "span": 5 * YEAR_MINUTES,
    }  # fmt: skip


def _fill(facts: dict[str, Any], params: dict[str, Any], deals: int, activities: int, cases: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        # The text-search indexes serve search, which no widget reads: not built for this tenant.
        cursor.execute(
            """SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()
               AND tablename IN ('sales_deal', 'activities_activity', 'service_case')
               AND indexdef ILIKE '%% USING gin %%'"""
        )
        facts["skipped_indexes"] = [name for (name,) in cursor.fetchall()]
        for name in facts["skipped_indexes"]:
            cursor.execute(f'DROP INDEX "{name}"')
        facts["deals_seconds"] = _insert(cursor, Deal, DEALS_SQL, params, deals)
        owners = {"owners": params["owners"], "owner_count": params["owner_count"]}
        facts["activities_seconds"] = _insert(cursor, Activity, ACTIVITIES_SQL, owners, activities)
        facts["cases_seconds"] = _insert(cursor, Case, CASES_SQL, params, cases)
        for table in ("sales_deal", "activities_activity", "service_case", "contacts_exchangerate"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SELECT status, count(*) FROM sales_deal GROUP BY status")
        facts["statuses"] = dict(cursor.fetchall())
        cursor.execute("SELECT count(*) FROM activities_activity")
        facts["activities"] = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM service_case")
        facts["cases"] = int(cursor.fetchone()[0])


def _dashboard(tenant: Tenant, admin: User, facts: dict[str, Any]) -> list[tuple[str, str]]:
    dashboard = create_dashboard(by=admin, name="Everything", period=PERIOD)
    for kind in available_widgets(tenant, admin)[:WIDGETS]:
        add_widget(dashboard, by=admin, kind=kind.key)
    for name, source, definition in REPORTS[: max(WIDGETS - dashboard.widgets.count(), 0)]:
        add_widget(dashboard, by=admin, report=create_report(by=admin, name=name, source=source, definition=definition))
    widgets = list(Widget.objects.filter(dashboard=dashboard).select_related("report"))
    facts["widgets"] = [widget_title(widget) for widget in widgets]
    page = f"/analytics/dashboards/{dashboard.pk}/"
    return [("the grid page", page)] + [
        (widget_title(widget), f"{page}widgets/{widget.pk}/data/?period={PERIOD}") for widget in widgets
    ]


def _loads(
    tenant: Tenant, admin: User, paths: Sequence[tuple[str, str]], samples: int, failures: list[str]
) -> dict[str, list[float]]:
    """Per request and for the whole load: the cold load's time first, then ``samples`` warm ones."""
    connection.close()
    client = Client(HTTP_HOST=tenant.primary_host)
    client.force_login(admin, backend="identity.backends.EmailBackend")
    timings: dict[str, list[float]] = {label: [] for label, _path in paths}
    timings["whole"] = []
    for number in range(1 + WARM_UP + samples):
        load_started = time.perf_counter()
        for label, path in paths:
            started = time.perf_counter()
            response = client.get(path)
            if response.status_code != 200 and f"GET {path} answered {response.status_code}" not in failures:
                failures.append(f"GET {path} answered {response.status_code}")
            if number == 0 or number > WARM_UP:
                timings[label].append(time.perf_counter() - started)
        if number == 0 or number > WARM_UP:
            timings["whole"].append(time.perf_counter() - load_started)
        log(f"dashboard scale: load {number}: {(time.perf_counter() - load_started) * 1000:,.0f} ms")
    return timings


def _cell(values: list[float]) -> list[str]:
    """Cold, warm p50 and warm p95 of one row."""
    warm = values[1:]
    return [
        report.milliseconds(values[0]),
        report.milliseconds(statistics.median(warm)),
        report.milliseconds(p95(warm)),
    ]


def _section(timings: dict[str, dict[str, list[float]]], facts: dict[str, Any], samples: int) -> str:
    deals, rollup = timings.get("deals", {}), timings.get("rollup", {})
    labels = [label for label in rollup if label != "whole"]
    rows = [[f"**the whole dashboard ({len(labels) - 1} widgets)**", *_cell(deals["whole"]), *_cell(rollup["whole"])]]
    rows += [[label, *_cell(deals[label]), *_cell(rollup[label])] for label in labels]
    table = report.table(
        ["request", "records: cold", "p50", "p95", "rollups: cold", "p50", "p95"],
        rows,
    )
    statuses = facts.get("statuses", {})
    total = sum(statuses.values()) + facts.get("activities", 0) + facts.get("cases", 0)
    other_rollups = "; ".join(
        f"{key}: {built:,} records into {groups:,} rows in {seconds:.1f} s"
        for key, built, groups, seconds in facts.get("other_rollups", [])
    )
    return f"""
## A dashboard of twenty widgets over {total:,} rows: the rollups vs the records

_{report.machine(server_version())}_

One bench tenant with {sum(statuses.values()):,} deals ({statuses.get("won", 0):,} won, {statuses.get("lost", 0):,}
lost, {statuses.get("open", 0):,} open; closed over five years, four currencies) and
{facts.get("activities", 0):,} activities and {facts.get("cases", 0):,} cases (one in five open), written by
`INSERT … SELECT generate_series` ({facts.get("deals_seconds", 0):.0f} s, {facts.get("activities_seconds", 0):.0f} s
and {facts.get("cases_seconds", 0):.0f} s, indexes built
again included; the text-search indexes, which no widget reads, left out:
{", ".join(facts.get("skipped_indexes", [])) or "none"}). Its administrator, who sees every record, reads a dashboard of
{", ".join(facts.get("widgets", []))} under "this fiscal year". A load is the grid page and then each
widget's endpoint in turn through Django's test client (an upper bound: a browser fetches the widgets
side by side). *Records*: the widgets read the records (no rollup built); *rollups*: after building
them ({facts.get("rollup_facts", 0):,} closed deals into {facts.get("rollup_rows", 0):,} daily rows in
{facts.get("rollup_seconds", 0):.0f} s; {other_rollups}). Cold is each mode's first load on a new database connection;
p50 and p95 are over {samples} warm loads in the rollups mode and {max(samples // 4, 3)} in the records mode
(after {WARM_UP} more).

{table}
"""
