"""A dashboard of eight widgets on a tenant of realistic size (analytics group of `make bench`):
the grid page, each widget's figures from its endpoint, and the whole dashboard as a browser
loads it (the page, then its eight widgets one after the other: an upper bound, since the browser
fetches them side by side), p50 and p95 over the samples.

The bench tenant gets companies, contacts, deals and activities from ``manage.py generate_records``
and orders by SQL (the workspace benchmark's ``ORDERS_SQL``); its admin saves four reports and
builds the dashboard through the services: the four reports and the first four widget kinds the
admin may add (the sales KPIs and charts), under the period "this fiscal year". Requests go
through Django's test client on the tenant's host, signed in as the admin.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from identity.models import User
from loadtests import report
from loadtests.bench_workspace import ORDERS_SQL, p95
from loadtests.support import BASE_DIR, BENCH_SLUG_PREFIX, create_tenant, log, server_version
from modules.analytics.dashboards.loading import widget_title
from modules.analytics.dashboards.services import add_widget, create_dashboard
from modules.analytics.dashboards.widgets import available_widgets
from modules.analytics.reports.services import create_report
from modules.registry import OPTIONAL_MODULE_KEYS
from tenants.models import Tenant
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}dashboards"
WARM_UP = 3
PERIOD = "this_year"
BY_STAGE = {"group_by": [{"field": "stage"}], "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}]}
BY_MONTH = {"group_by": [{"field": "ordered_on", "bucket": "month"}], "measures": [{"fn": "sum", "field": "total"}]}
REPORTS = (
    ("Deals by stage", "deals", BY_STAGE),
    ("Orders by month", "orders", BY_MONTH),
    ("Activities by kind", "activities", {"group_by": [{"field": "kind"}], "measures": [{"fn": "count"}]}),
    ("Deals", "deals", {"measures": [{"fn": "count"}]}),
)


def _timed(fetch: Callable[[], Any], samples: int) -> list[float]:
    for _ in range(WARM_UP):
        fetch()
    timings = []
    for _ in range(samples):
        start = time.perf_counter()
        fetch()
        timings.append(time.perf_counter() - start)
    return timings


def run(contacts: int, orders: int, samples: int) -> tuple[str, list[str]]:
    log(f"dashboards: creating {SLUG} with {contacts:,} contacts and {orders:,} orders")
    tenant = create_tenant(SLUG, "clone")
    tenant.enabled_modules = list(OPTIONAL_MODULE_KEYS)
    tenant.save(update_fields=["enabled_modules"])
    rows: list[tuple[str, list[float]]] = []
    failures: list[str] = []
    facts: dict[str, Any] = {}
    try:
        connection.close()
        subprocess.run(
            [
                sys.executable, str(BASE_DIR / "manage.py"), "generate_records", "--tenant", SLUG,
                "--companies", str(max(contacts // 10, 1)), "--contacts", str(contacts),
                "--deals", str(max(contacts // 5, 1)), "--activities", str(contacts),
            ],
            cwd=BASE_DIR, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        with tenant_context(tenant):
            with connection.cursor() as cursor:
                cursor.execute("SELECT max(id) FROM contacts_contact")
                cursor.execute(ORDERS_SQL, {"orders": orders, "contacts": int(cursor.fetchone()[0])})
                for table in ("sales_order", "sales_deal", "activities_activity"):
                    cursor.execute(f"ANALYZE {table}")
                cursor.execute("SELECT (SELECT count(*) FROM sales_deal), (SELECT count(*) FROM sales_order)")
                facts["deals"], facts["orders"] = cursor.fetchone()
            admin = User.objects.filter(role__key="admin").order_by("id").first()
            if admin is None:
                raise RuntimeError(f"the bench tenant {SLUG} has no admin")
            rows, failures, facts["widgets"] = _measure(tenant, admin, samples)
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
    return _section(rows, facts, contacts, samples), failures


def _measure(tenant: Tenant, admin: User, samples: int) -> tuple[list[tuple[str, list[float]]], list[str], list[str]]:
    dashboard = create_dashboard(by=admin, name="Bench", period=PERIOD)
    for name, source, definition in REPORTS:
        saved = create_report(by=admin, name=name, source=source, definition=definition)
        add_widget(dashboard, by=admin, report=saved)
    for kind in available_widgets(tenant, admin)[:4]:
        add_widget(dashboard, by=admin, kind=kind.key)
    client = Client(HTTP_HOST=tenant.primary_host)
    client.force_login(admin, backend="identity.backends.EmailBackend")
    failures: list[str] = []

    def get(path: str) -> None:
        response = client.get(path)
        if response.status_code != 200 and path not in failures:
            failures.append(f"GET {path} answered {response.status_code}")

    page = f"/analytics/dashboards/{dashboard.pk}/"
    widgets = list(dashboard.widgets.select_related("report"))
    paths = [(widget_title(w), f"{page}widgets/{w.pk}/data/?period={PERIOD}") for w in widgets]
    rows = [("the grid page (no widget query)", _timed(lambda: get(page), samples))]
    for title, path in paths:
        rows.append((f"widget: {title}", _timed(lambda path=path: get(path), samples)))
    rows.append(
        (
            "the whole dashboard: page + 8 widgets in turn",
            _timed(lambda: [get(page)] + [get(p) for _t, p in paths], samples),
        )
    )
    for label, timings in rows:
        log(f"dashboards: {label}: p95 {p95(timings) * 1000:.1f} ms")
    return rows, failures, [widget_title(w) for w in widgets]


def _section(rows: Sequence[tuple[str, list[float]]], facts: dict[str, Any], contacts: int, samples: int) -> str:
    table = report.table(
        ["request", "p50", "p95"],
        [[label, report.milliseconds(statistics.median(t)), report.milliseconds(p95(t))] for label, t in rows],
    )
    return f"""
## A dashboard of eight widgets

_{report.machine(server_version())}_

One bench tenant with {contacts:,} contacts, {facts.get("deals", 0):,} deals and {facts.get("orders", 0):,}
orders; its admin's dashboard holds {", ".join(facts.get("widgets", []))}, read under "this fiscal year".
Every figure is {samples} requests (after {WARM_UP} warm-up ones) through Django's test client signed in
as the admin.

{table}
"""
