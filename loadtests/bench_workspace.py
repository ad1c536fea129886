"""The everyday pages on a tenant of realistic size: the lists, the home page and Ctrl+K search,
each against the same page's SQL replayed through psycopg and against ``/healthz``, in one run;
then the timeline's kind filter and an order's history with and without their indexes.

One bench tenant gets companies, contacts, deals and activities from ``manage.py generate_records``
(COPY), then orders and their timeline entries, notes on the long-timeline company and e-mail
addresses at their company's domain, written by SQL here (``INSERT … SELECT generate_series``).
Each page is requested through Django's test client on the tenant's host, signed in as its admin
(the whole Django stack without the network). Its baseline is every SQL statement that request ran
(captured once), replayed through a raw psycopg connection on the same server: what the page costs
the database, without Django. ``/healthz`` through the same client is what any request costs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tenants.utils import tenant_context

from identity.models import User
from loadtests import report
from loadtests.support import BASE_DIR, BENCH_SLUG_PREFIX, create_tenant, log, server_version
from modules.registry import OPTIONAL_MODULE_KEYS
from tenants.models import Tenant
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}workspace"
URLCONF = "crm_platform.urls_tenant"
WARM_UP = 3
# Statements a replay leaves out: transaction control has no meaning on an autocommit connection.
NOT_REPLAYED = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")

ORDERS_SQL = """
INSERT INTO sales_order (number, status, company_id, contact_id, owner_id, currency, ordered_on,
    discount_percent, notes, subtotal, discount_total, tax_total, total, confirmed_at, custom,
    created_by_id, created_at, updated_at)
SELECT 'B-' || lpad(g::text, 7, '0'),
       (ARRAY['confirmed', 'fulfilled', 'invoiced', 'paid', 'cancelled'])[1 + g %% 5],
       c.company_id, c.id, c.owner_id, (ARRAY['EUR', 'RON', 'USD'])[1 + g %% 3],
       current_date - (g %% 730), 0, '', 100 + g %% 900, 0, 19, 119 + g %% 900,
       now() - make_interval(days => g %% 730), '{}', c.owner_id, now(), now()
FROM generate_series(1, %(orders)s) AS g
JOIN LATERAL (SELECT id, company_id, owner_id FROM contacts_contact WHERE id = 1 + (g * 7919) %% %(contacts)s)
    AS c ON true
"""
# Two entries per order (created, then a status change), as services.orders writes them.
ORDER_TIMELINE_SQL = """
INSERT INTO contacts_timelineentry (kind, occurred_at, actor_id, company_id, contact_id, order_id, data)
SELECT 'order', o.created_at + make_interval(hours => step), o.owner_id, o.company_id, o.contact_id, o.id,
       jsonb_build_object('action', CASE step WHEN 0 THEN 'created' ELSE 'status' END, 'order', o.id,
                          'number', o.number, 'status', o.status, 'total', o.total::text, 'currency', o.currency)
FROM sales_order o CROSS JOIN generate_series(0, 1) AS step
"""
NOTES_SQL = """
INSERT INTO contacts_timelineentry (kind, occurred_at, actor_id, company_id, data)
SELECT 'note', now() - make_interval(mins => g * 97), NULL, %(company)s, '{}'
FROM generate_series(1, %(notes)s) AS g
"""
# Each contact's e-mail at its company's web domain, as real customers' addresses are.
DOMAINS_SQL = """
UPDATE contacts_contact AS c
SET email = split_part(c.email, '@', 1) || '@'
    || trim(both '-' from lower(regexp_replace(co.name, '[^a-zA-Z0-9]+', '-', 'g'))) || '.example'
FROM contacts_company AS co WHERE c.company_id = co.id
"""


@dataclass
class Row:
    label: str
    samples: list[float]
    baseline: str | None = None
    queries: int | None = None


@dataclass
class Results:
    rows: dict[str, Row] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    plans: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, label: str, samples: list[float], baseline: str | None = None, **extra: Any) -> None:
        self.rows[key] = Row(label, samples, baseline, **extra)
        log(f"workspace: {label}: median {statistics.median(samples) * 1000:.1f} ms")


def _measure(fetch: Callable[[], Any], samples: int) -> list[float]:
    for _ in range(WARM_UP):
        fetch()
    timings = []
    for _ in range(samples):
        start = time.perf_counter()
        fetch()
        timings.append(time.perf_counter() - start)
    return timings


def p95(samples: Sequence[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18] if len(samples) > 1 else samples[0]


class Pages:
    """The tenant's pages as its admin opens them."""

    def __init__(self, tenant: Tenant, admin: User) -> None:
        self.client = Client(HTTP_HOST=tenant.primary_host)
        self.client.force_login(admin, backend="identity.backends.EmailBackend")

    def get(self, path: str) -> str:
        response = self.client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        return response.content.decode()

    def statements(self, path: str) -> list[str]:
        """The SQL one request of ``path`` runs, in order (the session and tenant lookups included)."""
        with CaptureQueriesContext(connection) as captured:
            self.get(path)
        return [query["sql"] for query in captured.captured_queries if not query["sql"].startswith(NOT_REPLAYED)]


def run(contacts: int, companies: int, deals: int, activities: int, orders: int, samples: int) -> tuple[str, list[str]]:
    log(f"workspace: creating {SLUG} with {contacts:,} contacts, {companies:,} companies, {orders:,} orders")
    tenant = create_tenant(SLUG, "clone")
    # Every module on, as a paying customer of the full plan has them (billing is not under test).
    tenant.enabled_modules = list(OPTIONAL_MODULE_KEYS)
    tenant.save(update_fields=["enabled_modules"])
    results = Results()
    try:
        results.facts["generation"] = _generate(contacts, companies, deals, activities)
        with tenant_context(tenant):
            _fill(results, orders)
            admin = User.objects.filter(role__key="admin").order_by("id").first()
            if admin is None:
                raise RuntimeError(f"the bench tenant {SLUG} has no admin")
            _measure_pages(results, tenant, admin, samples)
            _measure_indexes(results, tenant, samples)
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
    return _section(results, samples), results.failures


def _generate(contacts: int, companies: int, deals: int, activities: int) -> float:
    connection.close()
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable, str(BASE_DIR / "manage.py"), "generate_records", "--tenant", SLUG,
            "--companies", str(companies), "--contacts", str(contacts), "--deals", str(deals),
            "--activities", str(activities), "--timeline-record-events", "5000",
        ],
        cwd=BASE_DIR, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - start


def _fill(results: Results, orders: int) -> None:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM contacts_contact")
        last_contact = int(cursor.fetchone()[0])
        cursor.execute(ORDERS_SQL, {"orders": orders, "contacts": last_contact})
        cursor.execute(ORDER_TIMELINE_SQL)
        cursor.execute("SELECT id FROM contacts_company WHERE name LIKE 'Timeline record%%' ORDER BY id DESC")
        timeline_company = int(cursor.fetchone()[0])
        cursor.execute(NOTES_SQL, {"company": timeline_company, "notes": 25})
        cursor.execute(DOMAINS_SQL)
        for table in ("contacts_contact", "contacts_company", "sales_order", "contacts_timelineentry", "sales_deal"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM contacts_timelineentry")
        results.facts["timeline_entries"] = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM sales_order")
        results.facts["orders"] = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM contacts_contact")
        results.facts["contacts"] = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM contacts_company")
        results.facts["companies"] = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM sales_deal")
        results.facts["deals"] = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM activities_activity")
        results.facts["activities"] = int(cursor.fetchone()[0])
        # The search's e-mail-domain query: the first word of a domain that several contacts share.
        cursor.execute(
            "SELECT split_part(split_part(email, '@', 2), '-', 1), count(*) FROM contacts_contact"
            " WHERE email LIKE '%%@%%' GROUP BY 1 HAVING length(split_part(split_part(email, '@', 2), '-', 1)) >= 4"
            " ORDER BY count(*) DESC, 1 LIMIT 1"
        )
        results.facts["domain_word"], results.facts["domain_contacts"] = cursor.fetchone()
        cursor.execute(
            "SELECT lower(left(last_name, 3)) FROM contacts_contact GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
        results.facts["prefix"] = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM sales_order ORDER BY id LIMIT 1 OFFSET %s", [orders // 2])
        results.facts["order_id"] = int(cursor.fetchone()[0])
    results.facts["timeline_company"] = timeline_company
    results.facts["fill"] = time.perf_counter() - start


def _saved_view(admin: User, entity: str, query: dict[str, str], columns: list[str]) -> int:
    from modules.contacts.models import SavedView

    view = SavedView.objects.create(owner=admin, entity=entity, name="Bench", query=query, columns=columns)
    return int(view.pk)


def _page_paths(pages: Pages, results: Results, admin: User) -> dict[str, tuple[str, str]]:
    """(label, path) of every measured page; a list opens a saved view with filters, as its link does."""
    from modules.sales.models import Pipeline

    pipeline = Pipeline.objects.filter(is_default=True).values_list("pk", flat=True).first()
    facts = results.facts

    def listing(name: str, entity: str, query: dict[str, str], columns: list[str]) -> str:
        view = _saved_view(admin, entity, query, columns)
        response = pages.client.get(reverse(name, urlconf=URLCONF) + f"?view={view}")
        if response.status_code != 302:  # the saved view's link redirects to its query
            raise RuntimeError(f"the saved view of {entity} answered {response.status_code}")
        return str(response["Location"])

    return {
        "contacts": (
            "contacts list: saved view “customers by name”, columns company, owner, e-mail, tags",
            listing("contacts:contact-list", "contact", {"lifecycle_stage": "customer", "sort": "full_name"},
                    ["company", "owner", "email", "tags"]),
        ),
        "deals": (
            "deals list: saved view “open deals of the default pipeline”",
            listing("sales:deal-list", "deal", {"status": "open", "pipeline": str(pipeline)}, []),
        ),
        "orders": (
            "orders list: saved view “paid orders”",
            listing("sales:order-list", "order", {"status": "paid"}, []),
        ),
        "home": ("home page (“My day”, every card), scope “my team”", "/?scope=team"),
        "search-prefix": (
            f"Ctrl+K search, prefix “{facts['prefix']}”", f"/search/?q={facts['prefix']}&format=fragment",
        ),
        "search-domain": (
            f"Ctrl+K search, e-mail domain word “{facts['domain_word']}”",
            f"/search/?q={facts['domain_word']}&format=fragment",
        ),
        "order": (
            "an order's page (lines, status history)",
            reverse("sales:order-detail", args=[facts["order_id"]], urlconf=URLCONF),
        ),
    }  # fmt: skip


PAGE_KEYS = ("contacts", "deals", "orders", "home", "search-prefix", "search-domain", "order")


def _measure_pages(results: Results, tenant: Tenant, admin: User, samples: int) -> None:
    pages = Pages(tenant, admin)
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as raw:
        raw.execute(f'SET search_path TO "{tenant.schema_name}", public')
        results.add(
            "healthz",
            "baseline: `/healthz` (middleware, no database)",
            _measure(lambda: pages.get("/healthz"), samples),
        )
        for key, (label, path) in _page_paths(pages, results, admin).items():
            try:
                statements = pages.statements(path)
            except RuntimeError as error:
                results.failures.append(f"{label}: {error}")
                continue

            def replay(statements: list[str] = statements) -> None:
                for sql in statements:
                    cursor = raw.execute(sql.encode())  # no parameters: the statement as Django sent it
                    if cursor.description:
                        cursor.fetchall()

            results.add(
                f"sql:{key}", f"… its {len(statements)} statements replayed via psycopg", _measure(replay, samples)
            )
            results.facts[f"slowest:{key}"] = _slowest(raw, statements)
            log(f"workspace: slowest statement {results.facts[f'slowest:{key}'][0] * 1000:.1f} ms: "
                f"{results.facts[f'slowest:{key}'][1][:600]}")  # fmt: skip
            results.add(
                key, label, _measure(lambda path=path: pages.get(path), samples), f"sql:{key}", queries=len(statements)
            )
            results.facts[f"path:{key}"] = path


def _slowest(raw: psycopg.Connection[Any], statements: list[str]) -> tuple[float, str]:
    """The statement of a page that takes longest (median of 5 runs) and its time."""
    timed = []
    for sql in statements:
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            cursor = raw.execute(sql.encode())
            if cursor.description:
                cursor.fetchall()
            samples.append(time.perf_counter() - start)
        timed.append((statistics.median(samples), sql))
    return max(timed, key=lambda pair: pair[0])


# --- the timeline's indexes --------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexedQuery:
    key: str
    label: str
    index: str
    sql: str
    params: tuple[Any, ...]


def _indexed_queries(results: Results) -> list[IndexedQuery]:
    from modules.contacts.models import TimelineEntry
    from modules.contacts.selectors.timeline import KIND_FILTERS, TIMELINE_PAGE_SIZE

    company = results.facts["timeline_company"]
    queries = []
    for kind in ("notes", "activities"):
        entries = TimelineEntry.objects.filter(company_id=company, kind__in=KIND_FILTERS[kind]).order_by(
            "-occurred_at", "-id"
        )
        sql, params = entries[: TIMELINE_PAGE_SIZE + 1].query.sql_with_params()
        queries.append(
            IndexedQuery(
                f"kind-{kind}",
                f"company timeline, `?kind={kind}`, first page",
                "contacts_tl_company_kind_idx",
                sql,
                params,
            )
        )
    history = TimelineEntry.objects.filter(order_id=results.facts["order_id"]).order_by("-occurred_at", "-id")
    sql, params = history[: TIMELINE_PAGE_SIZE + 1].query.sql_with_params()
    queries.append(
        IndexedQuery("order-history", "an order's timeline, first page", "contacts_timeline_order_idx", sql, params)
    )
    return queries


def _plan(raw: psycopg.Connection[Any], query: IndexedQuery) -> str:
    rows = raw.execute("EXPLAIN " + query.sql, query.params).fetchall()
    return "\n".join(str(row[0]) for row in rows)


def _measure_indexes(results: Results, tenant: Tenant, samples: int) -> None:
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as raw:
        raw.execute(f'SET search_path TO "{tenant.schema_name}", public')
        for query in _indexed_queries(results):

            def fetch(query: IndexedQuery = query) -> None:
                raw.execute(query.sql, query.params).fetchall()

            results.plans[query.key] = _plan(raw, query)
            results.add(f"index:{query.key}", query.label, _measure(fetch, samples), f"noindex:{query.key}")
            with raw.transaction(force_rollback=True):
                raw.execute(f'DROP INDEX "{query.index}"')
                results.plans[f"noindex:{query.key}"] = _plan(raw, query)
                results.add(f"noindex:{query.key}", f"… without `{query.index}`", _measure(fetch, samples))


# --- the section ---------------------------------------------------------------------------------------


def _ratio(results: Results, row: Row, *, inverse: bool = False) -> str:
    """The row's median over its baseline's (``inverse``: the baseline's over the row's)."""
    if not row.baseline or row.baseline not in results.rows:
        return "—"
    ratio = statistics.median(row.samples) / statistics.median(results.rows[row.baseline].samples)
    return f"{1 / ratio if inverse else ratio:.1f}×"


def _table(results: Results, keys: Sequence[str], baseline_header: str, *, inverse: bool = False) -> str:
    rows = []
    for key in keys:
        row = results.rows.get(key)
        if row is None:
            continue
        rows.append([
            row.label, report.milliseconds(statistics.median(row.samples)), report.milliseconds(p95(row.samples)),
            report.milliseconds(min(row.samples)), report.milliseconds(max(row.samples)),
            _ratio(results, row, inverse=inverse),
            "" if row.queries is None else str(row.queries),
        ])  # fmt: skip
    return report.table(["measurement", "median", "p95", "min", "max", baseline_header, "queries"], rows)


def _excerpt(sql: str, width: int = 90) -> str:
    """The start of a statement, on one line, for the table."""
    text = " ".join(sql.split()).replace("|", "\\|").replace("`", "'")
    return text if len(text) <= width else text[: width - 1] + "…"


def _used(plan: str, index: str) -> str:
    return "yes" if index in plan else "**no**"


def _section(results: Results, samples: int) -> str:
    facts = results.facts
    page_rows = ["healthz"]
    for key in PAGE_KEYS:
        page_rows += [key, f"sql:{key}"]
    index_rows = []
    for key in ("kind-notes", "kind-activities", "order-history"):
        index_rows += [f"index:{key}", f"noindex:{key}"]
    plans = "\n\n".join(
        f"`{key}`:\n\n```\n{plan}\n```" for key, plan in results.plans.items() if not key.startswith("noindex:")
    )
    slowest = report.table(
        ["page", "its slowest statement", "median of 5"],
        [
            [results.rows[key].label.split(":")[0], f"`{_excerpt(facts[f'slowest:{key}'][1])}`",
             report.milliseconds(facts[f"slowest:{key}"][0])]
            for key in PAGE_KEYS if f"slowest:{key}" in facts and key in results.rows
        ],
    )  # fmt: skip
    failures = (
        "\n".join(f"- **FAILED** {failure}" for failure in results.failures)
        if results.failures
        else "- none: every page answered 200."
    )
    return f"""
## The everyday pages: lists, home and Ctrl+K search on a tenant of realistic size

_{report.machine(server_version())}_

One bench tenant with **{facts["contacts"]:,} contacts** at {facts["companies"]:,} companies (their e-mail
addresses at their company's domain), {facts["deals"]:,} deals, {facts["activities"]:,} activities,
**{facts["orders"]:,} orders** and {facts["timeline_entries"]:,} timeline entries (two per order, and one
company with 5,000 entries and 25 notes), written by `manage.py generate_records` (COPY,
{facts["generation"]:.0f} s) and SQL (`INSERT … SELECT generate_series`, {facts["fill"]:.0f} s). Every
figure is {samples} requests (after {WARM_UP} warm-up ones) through Django's test client on the tenant's
host signed in as its admin (the whole Django stack, no network). Each page's baseline, in the same
run, is every SQL statement the page ran (captured from one request, the session and tenant lookups
included) replayed through a raw psycopg connection: the "vs its SQL" column is how much more the
page costs than its database work; `/healthz` is what any request costs. The list pages open a saved
view (its link redirects to its filters, columns and sort) and show 50 rows.

{_table(results, page_rows, "vs its SQL")}

The slowest statement of each page (each statement run 5 times alone through psycopg):

{slowest}

**The timeline's indexes**, measured by running the query Django sends ({samples} times, through
psycopg) with the index and then, in a transaction rolled back afterwards, without it:

{_table(results, index_rows, "faster than without", inverse=True)}

The planner uses the index: `?kind=notes` {_used(results.plans.get("kind-notes", ""), "contacts_tl_company_kind_idx")},
`?kind=activities` {_used(results.plans.get("kind-activities", ""), "contacts_tl_company_kind_idx")}, the order's
timeline {_used(results.plans.get("order-history", ""), "contacts_timeline_order_idx")}. The plans with the indexes:

{plans}

Pages that could not be measured:

{failures}
"""
