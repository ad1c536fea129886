"""Customer records at scale: a 50-row contacts page and a record's timeline, through REST and GraphQL.

One bench tenant gets 1,000,000 contacts (and 50,000 companies) from ``manage.py generate_records``
(COPY) plus one company with 5,000 timeline entries. Then, repeatedly and in the same run:

* the contacts list filtered by ``lifecycle_stage=customer`` and sorted by ``full_name``, 50 rows: the
  first page, and a deep page reached by following the endpoint's own ``next`` cursors (REST) or
  ``endCursor`` (GraphQL) until that many rows lie before it;
* the company's timeline, newest first, 50 entries: the first page and a deep one, the same way;

each through the real endpoint (Django test client on the tenant's host, signed in as the tenant's
admin: the whole Django stack without the network) and against the baseline, the same page fetched by
a raw psycopg query with keyset SQL (``WHERE (full_name, id) > (…)``, the index the model declares).
The rows the endpoint returned are compared with the rows of the SQL page, so both sides read the same
page. An endpoint that does not answer as the contract in the brief says is a failure, reported by
name in the section and by a non-zero exit, never skipped silently.
"""

from __future__ import annotations

import base64
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import psycopg
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from identity.models import User
from loadtests import report
from loadtests.support import BASE_DIR, BENCH_SLUG_PREFIX, create_tenant, log, server_version
from tenants.models import Tenant
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}records"
PAGE = 50
STAGE = "customer"
WARM_UP = 3
CONTACT_COLUMNS = (
    "id, first_name, last_name, full_name, job_title, email, phone, lifecycle_stage, company_id, owner_id,"
    " city, country, created_at, updated_at"
)
FIRST_CONTACTS = f"""
    SELECT {CONTACT_COLUMNS} FROM contacts_contact
    WHERE lifecycle_stage = %s ORDER BY full_name, id LIMIT {PAGE}"""
NEXT_CONTACTS = f"""
    SELECT {CONTACT_COLUMNS} FROM contacts_contact
    WHERE lifecycle_stage = %s AND (full_name, id) > (%s, %s) ORDER BY full_name, id LIMIT {PAGE}"""
OFFSET_CONTACTS = f"""
    SELECT {CONTACT_COLUMNS} FROM contacts_contact
    WHERE lifecycle_stage = %s ORDER BY full_name, id OFFSET %s LIMIT {PAGE}"""
TIMELINE_COLUMNS = "id, kind, occurred_at, actor_id, company_id, contact_id, lead_id, deal_id, activity_id, data"
FIRST_TIMELINE = f"""
    SELECT {TIMELINE_COLUMNS} FROM contacts_timelineentry
    WHERE company_id = %s ORDER BY occurred_at DESC, id DESC LIMIT {PAGE}"""
NEXT_TIMELINE = f"""
    SELECT {TIMELINE_COLUMNS} FROM contacts_timelineentry
    WHERE company_id = %s AND (occurred_at, id) < (%s, %s) ORDER BY occurred_at DESC, id DESC LIMIT {PAGE}"""
GRAPHQL_CONTACTS = """
query BenchContacts($after: String) {
  contacts(first: %(first)d, lifecycleStage: %(stage)s, orderBy: %(order)s, after: $after) {
    edges { node { id fullName email lifecycleStage } }
    pageInfo { endCursor hasNextPage }
  }
}"""
GRAPHQL_FIND_COMPANY = """
query BenchCompany($search: String) {
  companies(first: 1, search: $search) { edges { node { id __typename name } } }
}"""
GRAPHQL_TIMELINE = """
query BenchTimeline($id: ID!, $after: String) {
  node(id: $id) {
    ... on %(type)s {
      timeline(first: %(first)d, after: $after) {
        edges { node { id kind occurredAt } }
        pageInfo { endCursor hasNextPage }
      }
    }
  }
}"""


class EndpointFailure(Exception):
    """An endpoint is missing or does not answer as the contract says."""


@dataclass
class Row:
    label: str
    samples: list[float]
    baseline: str | None = None  # the key of the row this one is compared with
    note: str = ""


@dataclass
class Results:
    rows: dict[str, Row] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def add(self, key: str, label: str, samples: list[float], baseline: str | None = None, note: str = "") -> None:
        self.rows[key] = Row(label, samples, baseline, note)
        log(f"records: {label}: median {statistics.median(samples) * 1000:.1f} ms")


def _measure(fetch: Callable[[], Any], samples: int, label: str = "") -> list[float]:
    if label:
        log(f"records: measuring {label}")
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


# ---- the endpoints, as a client sees them --------------------------------------------------------------


class Api:
    """REST and GraphQL on the bench tenant's host, signed in as its admin."""

    def __init__(self, tenant: Tenant) -> None:
        self.client = Client(HTTP_HOST=tenant.primary_host)
        with tenant_context(tenant):
            admin = User.objects.filter(role__key="admin").order_by("id").first()
            if admin is None:
                raise RuntimeError(f"the bench tenant {tenant.slug} has no admin")
            self.client.force_login(admin, backend="identity.backends.EmailBackend")

    def get(self, path: str) -> dict[str, Any]:
        try:
            response = self.client.get(path)
        except Exception as error:  # the endpoint crashed: name it, do not stop the run
            raise EndpointFailure(f"GET {path} raised {type(error).__name__}: {error}") from error
        if response.status_code == 404:
            raise EndpointFailure(f"GET {path} answered 404: the endpoint does not exist (yet)")
        if response.status_code != 200:
            raise EndpointFailure(f"GET {path} answered {response.status_code}: {response.content[:300]!r}")
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("results"), list) or "next" not in body:
            raise EndpointFailure(f"GET {path} is not a cursor page ({{next, previous, results}}): {str(body)[:300]}")
        return body

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.client.post(
                "/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json"
            )
        except Exception as error:  # the endpoint crashed: name it, do not stop the run
            raise EndpointFailure(f"POST /graphql/ raised {type(error).__name__}: {error}") from error
        if response.status_code == 404:
            raise EndpointFailure("POST /graphql/ answered 404")
        body = response.json()
        if body.get("errors"):
            messages = "; ".join(str(error.get("message")) for error in body["errors"])
            raise EndpointFailure(f"GraphQL answered errors: {messages}")
        return dict(body["data"])


def _path(url: str, **replace: str) -> str:
    """A ``next`` link (absolute or not) as a path for the test client, with some parameters replaced."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(replace)
    return f"{parts.path}?{urlencode(query)}"


def node_pk(value: Any) -> int:
    """The primary key in a GraphQL node id: a relay global id (base64 of ``Type:pk``) or a plain id."""
    text = str(value)
    if text.isdigit():
        return int(text)
    try:
        decoded = base64.b64decode(text + "=" * (-len(text) % 4)).decode()
    except ValueError as error:
        raise EndpointFailure(f"cannot read the node id {text!r}") from error
    return int(decoded.rsplit(":", 1)[-1])


# ---- the benchmark -------------------------------------------------------------------------------------


def run(contacts: int, companies: int, events: int, depth: int, samples: int) -> tuple[str, list[str]]:
    """Generate the records, measure, drop the tenant; return the doc section and the failures."""
    log(f"records: creating {SLUG} and {contacts:,} contacts, {companies:,} companies, {events:,} timeline events")
    tenant = create_tenant(SLUG, "clone")
    results = Results()
    try:
        results.facts["generation"] = _generate(contacts, companies, events)
        with tenant_context(tenant), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM contacts_contact WHERE lifecycle_stage = %s", [STAGE])
            results.facts["customers"] = int(cursor.fetchone()[0])
            cursor.execute("SELECT id FROM contacts_company WHERE name LIKE 'Timeline record%%' ORDER BY id DESC")
            company_id = int(cursor.fetchone()[0])
        connection.set_schema_to_public()
        results.facts.update(contacts=contacts, companies=companies, events=events, company_id=company_id)
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as raw:
            raw.execute(f'SET search_path TO "{tenant.schema_name}"')
            api = Api(tenant)
            _contacts(api, raw, results, depth, samples)
            _timeline(api, raw, results, company_id, min(depth, events - 2 * PAGE), samples)
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
    return _section(results, depth, samples), results.failures


def _generate(contacts: int, companies: int, events: int) -> dict[str, Any]:
    connection.close()
    start = time.perf_counter()
    output = subprocess.run(
        [
            sys.executable, str(BASE_DIR / "manage.py"), "generate_records", "--tenant", SLUG,
            "--companies", str(companies), "--contacts", str(contacts), "--timeline-record-events", str(events),
        ],
        cwd=BASE_DIR, check=True, stdout=subprocess.PIPE, text=True,
    ).stdout  # fmt: skip
    elapsed = time.perf_counter() - start
    steps = dict(re.findall(r"^(\w+): [\d,]+ in ([\d.]+) s$", output, flags=re.MULTILINE))
    analyze = re.search(r"^analyze: ([\d.]+) s$", output, flags=re.MULTILINE)
    log(f"records: generated in {elapsed:.0f} s ({output.strip().replace(chr(10), '; ')})")
    return {"total": elapsed, **{k: float(v) for k, v in steps.items()}, "analyze": float(analyze[1]) if analyze else 0}


def _sql(raw: psycopg.Connection[Any], query: str, params: Sequence[Any]) -> Callable[[], list[tuple[Any, ...]]]:
    def fetch() -> list[tuple[Any, ...]]:
        return raw.execute(query, params, prepare=True).fetchall()

    return fetch


def _contacts(api: Api, raw: psycopg.Connection[Any], results: Results, depth: int, samples: int) -> None:
    first_sql = _sql(raw, FIRST_CONTACTS, [STAGE])
    results.add("sql:first", "raw SQL (keyset), first page", _measure(first_sql, samples))
    anchor = raw.execute(OFFSET_CONTACTS.replace(f"LIMIT {PAGE}", "LIMIT 1"), [STAGE, depth - 1]).fetchone()
    if anchor is None:
        raise RuntimeError(f"fewer than {depth:,} contacts with lifecycle stage {STAGE}: raise --contacts")
    deep_sql = _sql(raw, NEXT_CONTACTS, [STAGE, anchor[3], anchor[0]])
    results.add("sql:deep", f"raw SQL (keyset), page after row {depth:,}", _measure(deep_sql, samples))
    offset_sql = _sql(raw, OFFSET_CONTACTS, [STAGE, depth])
    results.add(
        "sql:offset", f"raw SQL with OFFSET {depth:,} (for contrast)", _measure(offset_sql, samples), "sql:deep"
    )
    first_ids = [row[0] for row in first_sql()]
    deep_ids = [row[0] for row in deep_sql()]

    base = f"/api/v1/contacts/?page_size={PAGE}&lifecycle_stage={STAGE}&ordering=full_name"
    try:
        page = api.get(base)
        results.facts["rest_first_same"] = [item.get("id") for item in page["results"]] == first_ids
        results.add(
            "rest:first", "REST `GET /api/v1/contacts/`, first page", _measure(lambda: api.get(base), samples),
            "sql:first",
        )  # fmt: skip
        deep_path, reached = _rest_deep(api, base, depth)
        page = api.get(deep_path)
        results.facts["rest_deep_same"] = [item.get("id") for item in page["results"]] == deep_ids
        results.add(
            "rest:deep", f"REST, page after row {reached:,} (`next` cursor)",
            _measure(lambda: api.get(deep_path), samples), "sql:deep",
        )  # fmt: skip
    except EndpointFailure as failure:
        results.failures.append(f"REST contacts list: {failure}")

    try:
        query = _contacts_query(api, results)
        data = api.graphql(query % {"first": PAGE}, {"after": None})
        ids = [node_pk(edge["node"]["id"]) for edge in data["contacts"]["edges"]]
        results.facts["graphql_first_same"] = ids == first_ids
        results.add(
            "graphql:first", "GraphQL `contacts(first: 50, …)`, first page",
            _measure(lambda: api.graphql(query % {"first": PAGE}, {"after": None}), samples), "sql:first",
        )  # fmt: skip
        cursor, reached = _graphql_deep(api, query, depth)
        data = api.graphql(query % {"first": PAGE}, {"after": cursor})
        ids = [node_pk(edge["node"]["id"]) for edge in data["contacts"]["edges"]]
        results.facts["graphql_deep_same"] = ids == deep_ids
        results.add(
            "graphql:deep", f"GraphQL, page after row {reached:,} (`after: endCursor`)",
            _measure(lambda: api.graphql(query % {"first": PAGE}, {"after": cursor}), samples), "sql:deep",
        )  # fmt: skip
    except EndpointFailure as failure:
        results.failures.append(f"GraphQL contacts connection: {failure}")


def _rest_deep(api: Api, base: str, depth: int) -> tuple[str, int]:
    """Follow ``next`` (200 rows a hop) until ``depth`` rows lie behind; the 50-row page's path there."""
    path, reached = _path(base, page_size="200"), 0
    while reached < depth:
        page = api.get(path)
        take = min(len(page["results"]), depth - reached)
        if take < 200:  # the last hop: the rest in 50-row pages keeps the cursor exactly at ``depth``
            path = _path(path, page_size=str(PAGE))
            while reached < depth:
                page = api.get(path)
                reached += len(page["results"])
                if not page["next"]:
                    raise EndpointFailure(f"the list ended after {reached:,} rows, before row {depth:,}")
                path = _path(page["next"], page_size=str(PAGE))
            return path, reached
        reached += len(page["results"])
        if not page["next"]:
            raise EndpointFailure(f"the list ended after {reached:,} rows, before row {depth:,}")
        path = _path(page["next"])
    return _path(path, page_size=str(PAGE)), reached


def _contacts_query(api: Api, results: Results) -> str:
    """The contacts query with the schema's enums for the lifecycle filter and the order; fails with
    the server's message if the schema no longer takes them."""
    query = GRAPHQL_CONTACTS.replace("%(stage)s", STAGE.upper()).replace("%(order)s", "FULL_NAME")
    api.graphql(query % {"first": 1}, {"after": None})
    results.facts["graphql_arguments"] = f"lifecycleStage: {STAGE.upper()}, orderBy: FULL_NAME"
    return query


def _graphql_deep(api: Api, query: str, depth: int) -> tuple[str | None, int]:
    cursor, reached = None, 0
    while reached < depth:
        hop = min(100, depth - reached)
        data = api.graphql(query % {"first": hop}, {"after": cursor})
        connection_ = data["contacts"]
        reached += len(connection_["edges"])
        if not connection_["pageInfo"]["hasNextPage"]:
            raise EndpointFailure(f"the connection ended after {reached:,} rows, before row {depth:,}")
        cursor = connection_["pageInfo"]["endCursor"]
    return cursor, reached


def _timeline(
    api: Api, raw: psycopg.Connection[Any], results: Results, company_id: int, depth: int, samples: int
) -> None:
    first_sql = _sql(raw, FIRST_TIMELINE, [company_id])
    results.add("sql:timeline-first", "raw SQL (keyset), first page", _measure(first_sql, samples))
    anchor = raw.execute(
        FIRST_TIMELINE.replace(f"LIMIT {PAGE}", f"OFFSET {depth - 1} LIMIT 1"), [company_id]
    ).fetchone()
    if anchor is None:
        raise RuntimeError(f"the timeline record has fewer than {depth:,} entries")
    deep_sql = _sql(raw, NEXT_TIMELINE, [company_id, anchor[2], anchor[0]])
    results.add("sql:timeline-deep", f"raw SQL (keyset), page after entry {depth:,}", _measure(deep_sql, samples))
    first_ids = [row[0] for row in first_sql()]
    deep_ids = [row[0] for row in deep_sql()]

    base = f"/api/v1/companies/{company_id}/timeline/?page_size={PAGE}"
    try:
        page = api.get(base)
        results.facts["rest_timeline_first_same"] = [item.get("id") for item in page["results"]] == first_ids
        results.add(
            "rest:timeline-first", "REST `GET /api/v1/companies/<id>/timeline/`, first page",
            _measure(lambda: api.get(base), samples), "sql:timeline-first",
        )  # fmt: skip
        path, reached = base, 0
        while reached < depth:
            page = api.get(path)
            reached += len(page["results"])
            if not page["next"]:
                raise EndpointFailure(f"the timeline ended after {reached:,} entries, before {depth:,}")
            path = _path(page["next"], page_size=str(PAGE))
        page = api.get(path)
        results.facts["rest_timeline_deep_same"] = [item.get("id") for item in page["results"]] == deep_ids
        results.add(
            "rest:timeline-deep", f"REST, page after entry {reached:,}", _measure(lambda: api.get(path), samples),
            "sql:timeline-deep",
        )  # fmt: skip
    except EndpointFailure as failure:
        results.failures.append(f"REST timeline: {failure}")

    try:
        found = api.graphql(GRAPHQL_FIND_COMPANY, {"search": "Timeline record"})["companies"]["edges"]
        if not found:
            raise EndpointFailure('companies(search: "Timeline record") found no company')
        node = found[0]["node"]
        query = GRAPHQL_TIMELINE % {"type": node["__typename"], "first": PAGE}

        def timeline(after: str | None, text: str = query) -> dict[str, Any]:
            data = api.graphql(text, {"id": node["id"], "after": after})
            if not data.get("node") or "timeline" not in data["node"]:
                raise EndpointFailure(f"node(id: …) on {node['__typename']} has no timeline")
            return dict(data["node"]["timeline"])

        ids = [node_pk(edge["node"]["id"]) for edge in timeline(None)["edges"]]
        results.facts["graphql_timeline_first_same"] = ids == first_ids
        results.add(
            "graphql:timeline-first", "GraphQL `timeline(first: 50)` on the company, first page",
            _measure(lambda: timeline(None), samples), "sql:timeline-first",
        )  # fmt: skip
        cursor, reached = None, 0
        while reached < depth:
            hop_text = GRAPHQL_TIMELINE % {"type": node["__typename"], "first": min(100, depth - reached)}
            page = timeline(cursor, hop_text)
            reached += len(page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                raise EndpointFailure(f"the timeline ended after {reached:,} entries, before {depth:,}")
            cursor = page["pageInfo"]["endCursor"]
        ids = [node_pk(edge["node"]["id"]) for edge in timeline(cursor)["edges"]]
        results.facts["graphql_timeline_deep_same"] = ids == deep_ids
        results.add(
            "graphql:timeline-deep", f"GraphQL, page after entry {reached:,}",
            _measure(lambda: timeline(cursor), samples), "sql:timeline-deep",
        )  # fmt: skip
    except EndpointFailure as failure:
        results.failures.append(f"GraphQL timeline: {failure}")


# ---- the section ---------------------------------------------------------------------------------------


def _table(results: Results, keys: Sequence[str]) -> str:
    rows = []
    for key in keys:
        row = results.rows.get(key)
        if row is None:
            continue
        median = statistics.median(row.samples)
        ratio = "—"
        if row.baseline and row.baseline in results.rows:
            ratio = f"{median / statistics.median(results.rows[row.baseline].samples):.1f}×"
        rows.append(
            [
                row.label,
                report.milliseconds(median),
                report.milliseconds(p95(row.samples)),
                report.milliseconds(min(row.samples)),
                report.milliseconds(max(row.samples)),
                ratio,
            ]
        )
    return report.table(["measurement", "median", "p95", "min", "max", "vs raw SQL"], rows)


def _same(results: Results, key: str) -> str:
    value = results.facts.get(key)
    return "not measured" if value is None else ("yes" if value else "**no**")


def _section(results: Results, depth: int, samples: int) -> str:
    facts = results.facts
    generation = facts["generation"]
    contact_rows = ["sql:first", "rest:first", "graphql:first", "sql:deep", "sql:offset", "rest:deep", "graphql:deep"]
    timeline_rows = [
        "sql:timeline-first", "rest:timeline-first", "graphql:timeline-first",
        "sql:timeline-deep", "rest:timeline-deep", "graphql:timeline-deep",
    ]  # fmt: skip
    failures = (
        "\n".join(f"- **FAILED** {failure}" for failure in results.failures)
        if results.failures
        else "- none: every endpoint answered as the contract says."
    )
    return f"""
## Customer records at scale: contacts pages and a long timeline, REST and GraphQL vs keyset SQL

_{report.machine(server_version())}_

One bench tenant holds **{facts["contacts"]:,} contacts** ({facts["customers"]:,} of them with lifecycle stage
`{STAGE}`) at {facts["companies"]:,} companies, and one company with **{facts["events"]:,} timeline entries**,
written by `manage.py generate_records` (COPY, secondary indexes rebuilt after the load, then ANALYZE) in
{generation["total"]:.0f} s wall time (contacts {generation.get("contacts", 0):.0f} s, companies
{generation.get("companies", 0):.0f} s, timeline {generation.get("timeline_entries", 0):.1f} s, ANALYZE
{generation.get("analyze", 0):.1f} s, the rest is process start-up and index builds inside the steps).
Every figure is {samples} timed requests (after {WARM_UP} warm-up ones) of one {PAGE}-row page: through the
endpoint with Django's test client on the tenant's host signed in as its admin (the whole Django stack,
no network), and as the baseline the same page by a raw psycopg query (prepared keyset SQL on the same
server, same run). A deep page is reached by following the endpoint's own cursors (`next`, 200 rows a hop;
`endCursor`, 100 a hop) until {depth:,} rows lie before it; the baseline starts after the same row.

**Contacts** (`GET /api/v1/contacts/?page_size=50&lifecycle_stage={STAGE}&ordering=full_name`;
`contacts(first: 50, {facts.get("graphql_arguments", 'lifecycleStage: …, orderBy: "full_name"')}, after: …)`):

{_table(results, contact_rows)}

Same rows as the SQL page: REST first {_same(results, "rest_first_same")}, deep
{_same(results, "rest_deep_same")}; GraphQL first {_same(results, "graphql_first_same")}, deep
{_same(results, "graphql_deep_same")}.

**Timeline** of the company with {facts["events"]:,} entries, newest first
(`GET /api/v1/companies/<id>/timeline/?page_size=50`; `timeline(first: 50, after: …)`):

{_table(results, timeline_rows)}

Same rows as the SQL page: REST first {_same(results, "rest_timeline_first_same")}, deep
{_same(results, "rest_timeline_deep_same")}; GraphQL first {_same(results, "graphql_timeline_first_same")},
deep {_same(results, "graphql_timeline_deep_same")}.

How the paths differ: REST pages with DRF's cursor, a seek on the sort column (`full_name > …`,
with an offset only among equal names), so a deep page costs what a first page costs. GraphQL
connections page with graphene-django's offset cursors and count the whole filtered set on every
page, so a deep GraphQL page pays an OFFSET scan plus a COUNT, and even a first page pays the COUNT.
Against raw SQL, the rest of each request's time is Python: session and tenant middleware, building
50 model instances with their prefetched relations, and serializing them.

Endpoints that could not be measured:

{failures}
"""
