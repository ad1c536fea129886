"""The request path in process: what one web process spends per API request, now and before a change.

A bench tenant gets ``contacts`` contacts and as many deals (company, owner, tags, a custom field;
``loadtests.bench_api``'s seeding) and an API key. ``loadtests.request_path_probe`` then runs in a
child process per code checkout — this one, and with ``BENCH_API_BEFORE`` naming a checkout of the
code before a change, that one too, alternating ``alternations`` times — and times the first page
of 50 contacts and of 50 deals, a contact's detail and ``/healthz`` through Django's whole stack.
Wall time includes PostgreSQL's (planning, connecting); CPU time is the web process's own, which
the machine's other load inflates least. Baseline in the same run: the pages' SQL through psycopg.

    run(contacts=1000, samples=60, alternations=2) -> (markdown section, failures)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context

from loadtests import report
from loadtests.bench_api import PAGE_SIZE, _contact_statements, _deal_statements, _seed
from loadtests.support import BASE_DIR, BENCH_SLUG_PREFIX, create_tenant, log, server_version
from modules.registry import MODULES
from tenants.models import Tenant
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}path"
CONTACTS = f"/api/v1/contacts/?page_size={PAGE_SIZE}"
DEALS = f"/api/v1/deals/?page_size={PAGE_SIZE}"


def _probe(tree: Path, host: str, token: str, samples: int, paths: list[str]) -> dict[str, dict[str, float]]:
    completed = subprocess.run(
        [sys.executable, "-m", "loadtests.request_path_probe", "--host", host, "--token", token,
         "--samples", str(samples), *paths],
        cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"the probe in {tree} failed: {(lines or [completed.stderr[-1500:]])[-1]}")
    return json.loads(lines[-1])  # type: ignore[no-any-return]


def _sql_median(statements: list[str], samples: int) -> float:
    params = settings.DATABASES["default"]
    timings = []
    with psycopg.connect(
        dbname=params["NAME"], user=params["USER"], password=params["PASSWORD"], host=params["HOST"],
        port=params["PORT"] or None,
    ) as conn:  # fmt: skip
        for _sample in range(samples + 5):
            started = time.perf_counter()
            for statement in statements:
                conn.execute(statement).fetchall()  # type: ignore[arg-type]
            timings.append(time.perf_counter() - started)
    return statistics.median(timings[5:])


def run(contacts: int = 1000, samples: int = 60, alternations: int = 2) -> tuple[str, list[str]]:
    failures: list[str] = []
    log(f"request_path: provisioning {SLUG} with {contacts} contacts and deals")
    tenant = create_tenant(SLUG, "clone")
    trees = {"now": BASE_DIR}
    before = os.environ.get("BENCH_API_BEFORE")
    if before:
        trees["before"] = Path(before).resolve()
    measured: dict[str, list[dict[str, dict[str, float]]]] = {name: [] for name in trees}
    try:
        Tenant.objects.filter(pk=tenant.pk).update(enabled_modules=[module.key for module in MODULES])
        with tenant_context(tenant):
            token, contact_ids, _deal_ids = _seed(contacts)
        paths = [CONTACTS, DEALS, f"/api/v1/contacts/{contact_ids[0]}/", "/healthz"]
        connection.close()
        for index in range(alternations):
            for name in list(trees) if index % 2 == 0 else list(reversed(trees)):
                log(f"request_path: {name}, alternation {index + 1}/{alternations}")
                try:
                    measured[name].append(_probe(trees[name], tenant.primary_host, token, samples, paths))
                except RuntimeError as error:
                    failures.append(str(error))
        floors = {
            CONTACTS: _sql_median(_contact_statements(tenant.schema_name), samples),
            DEALS: _sql_median(_deal_statements(tenant.schema_name), samples),
        }
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
    revision = ""
    if before:
        revision = subprocess.run(
            ["git", "-C", before, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    labels = {
        CONTACTS: "contacts list (50)",
        DEALS: "deals list (50)",
        paths[2]: "contact detail",
        "/healthz": "/healthz",
    }

    def median_of(name: str, path: str, figure: str) -> float | None:
        values = [run[path][figure] for run in measured[name] if path in run]
        return statistics.median(values) if values else None

    def ms(value: float | None) -> str:
        return "—" if value is None else report.milliseconds(value)

    rows = []
    for path in paths:
        now_wall = median_of("now", path, "wall_median")
        before_wall = median_of("before", path, "wall_median") if before else None
        floor = floors.get(path)
        rows.append(
            [
                labels[path],
                ms(now_wall),
                ms(median_of("now", path, "wall_p95")),
                ms(median_of("now", path, "cpu_median")),
                ms(before_wall),
                ms(median_of("before", path, "cpu_median") if before else None),
                f"{before_wall / now_wall:.2f}×" if before_wall and now_wall else "—",
                ms(floor),
            ]
        )
    body = "\n".join(
        [
            "## The request path in process: now vs before the change",
            "",
            f"One bench tenant with {contacts:,} contacts and as many deals (company, owner, tags, a custom field), "
            f"an API key; {samples} timed requests per path (after 5 warm-up ones) through Django's whole stack in "
            "one process (test client, no network; connections closed around each request as the WSGI handler "
            "does, with each checkout's own gunicorn settings), each checkout in its own child process, "
            f"alternating {alternations} times; figures are medians over the alternations. "
            + (f"Before: the checkout at `{revision}`." if before else "No checkout before the change was given.")
            + " Baseline, same run: the page's SQL through psycopg on one connection (`loadtests.bench_api`'s "
            "statements).",
            "",
            report.table(
                [
                    "request",
                    "now: median",
                    "now: p95",
                    "now: CPU",
                    "before: median",
                    "before: CPU",
                    "speed-up",
                    "SQL baseline",
                ],
                rows,
            ),
            "",
            report.machine(server_version()),
        ]
    )
    if failures:
        body += "\n\nFailures:\n\n" + "\n".join(f"- {failure}" for failure in failures)
    return body, failures
