"""REST vs GraphQL throughput for the same page, over HTTP against a real gunicorn.

A bench tenant gets ``contacts`` contacts (each with a company, an owner and tags); gunicorn runs
as in production (infra/gunicorn.conf.py: gthread, ``WEB_WORKERS`` × ``WEB_THREADS``) and
``clients`` threads, each on its own keep-alive connection, ask for the first page of 50 contacts
with an API key for ``seconds`` seconds:

- REST:    ``GET /api/v1/contacts/?page_size=50``
- GraphQL: ``contacts(first: 50)`` selecting the same fields (company, owner and tags as objects).

Baselines in the same run, with the same server and clients: ``/healthz`` (gunicorn and Django's
middleware stack, no database: the ceiling for any endpoint) and the page's SQL through psycopg on
one connection per client (the database floor). Rounds alternate REST and GraphQL so neither gets
a warmer cache; every response is checked (status, 50 rows, same ids on both sides).

    run(contacts=1000, clients=8, seconds=15, rounds=2) -> (markdown section, failures)
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import psycopg
from django.db import connection
from django_tenants.utils import tenant_context

from customization.fields.services import create_definition
from identity.models import User
from identity.services.api_keys import create_api_key
from loadtests import report
from loadtests.support import BASE_DIR, BENCH_SLUG_PREFIX, create_tenant, log, server_version, stop_process
from modules.contacts.models import Company, Contact, Tag
from modules.registry import MODULES
from modules.sales.models import Deal
from modules.sales.services.pipelines import default_pipeline, first_open_stage
from tenants.models import Tenant
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}api"
PAGE_SIZE = 50
REST_PATH = f"/api/v1/contacts/?page_size={PAGE_SIZE}"
DEALS_PATH = f"/api/v1/deals/?page_size={PAGE_SIZE}"
GRAPHQL_QUERY = """
query Page($first: Int!) {
  contacts(first: $first) {
    edges { node {
      id fullName firstName lastName email phone jobTitle lifecycleStage createdAt updatedAt
      owner { id email fullName }
      company { id name }
      tags { name }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@dataclass
class Tally:
    """What one measured round saw: completed requests, their latencies, and the first failure."""

    requests: int = 0
    latencies: list[float] = field(default_factory=list)
    failure: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, latency: float) -> None:
        with self.lock:
            self.requests += 1
            self.latencies.append(latency)

    def fail(self, message: str) -> None:
        with self.lock:
            self.failure = self.failure or message


@dataclass(frozen=True)
class Endpoint:
    label: str
    method: str
    path: str
    body: bytes | None
    check: Callable[[int, bytes], str | None]  # an error message, or None when the response is right


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_gunicorn(port: int, log_file: Path, code_dir: Path = BASE_DIR) -> subprocess.Popen[bytes]:
    """gunicorn as `make run` serves, running the code (and gunicorn settings) in ``code_dir``."""
    environment = {
        **os.environ,
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
        # The benchmark measures the endpoints, not the rate limit.
        "API_RATE_LIMIT_TENANT_PER_MINUTE": "100000000",
        "API_RATE_LIMIT_CREDENTIAL_PER_MINUTE": "100000000",
    }
    output = log_file.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "crm_platform.wsgi", "-c", str(code_dir / "infra/gunicorn.conf.py"),
         "--access-logfile", "/dev/null"],
        cwd=code_dir, env=environment, stdout=output, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log_file.read_text()[-2000:]}")
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start within 60 s")


def _seed(contacts: int) -> tuple[str, list[int], list[int]]:
    """Contacts and as many deals, each with a company, an owner, tags and a custom field value, in
    the current tenant; an API key; the first page's ids of both."""
    admin = User.objects.filter(role__key="admin").order_by("id").first()
    if admin is None:
        raise RuntimeError("the bench tenant has no admin")
    for entity, key in (("contact", "tier"), ("deal", "region")):
        create_definition(by=admin, entity=entity, key=key, label=key.title(), field_type="text")
    tags = [Tag.objects.create(name=f"Segment {index}") for index in range(3)]
    companies = Company.objects.bulk_create(
        Company(name=f"Bench company {index:05d}", owner=admin) for index in range(max(1, contacts // 5))
    )
    rows = Contact.objects.bulk_create(
        Contact(
            first_name=f"First{index:06d}", last_name=f"Last{index:06d}", full_name=f"First{index:06d} Last{index:06d}",
            email=f"contact{index:06d}@bench.test", phone="+40 21 000 0000", job_title="Buyer",
            company=companies[index % len(companies)], owner=admin, custom={"tier": "Gold"},
        )
        for index in range(contacts)
    )  # fmt: skip
    through = Contact.tags.through
    through.objects.bulk_create(through(contact_id=row.pk, tag_id=tags[row.pk % len(tags)].pk) for row in rows)
    pipeline = default_pipeline()
    if pipeline is None:
        raise RuntimeError("the bench tenant has no pipeline")
    stage = first_open_stage(pipeline)
    deals = Deal.objects.bulk_create(
        Deal(
            name=f"Deal {index:06d}", pipeline=pipeline, stage=stage, amount=Decimal("1000.00"), currency="EUR",
            owner=admin, company=row.company, contact=row, custom={"region": "North"},
        )
        for index, row in enumerate(rows)
    )  # fmt: skip
    deal_tags = Deal.tags.through
    deal_tags.objects.bulk_create(deal_tags(deal_id=row.pk, tag_id=tags[row.pk % len(tags)].pk) for row in deals)
    _key, secret = create_api_key(user=admin, name="Bench", scopes=["contacts:read", "sales:read"])
    first_contacts = list(Contact.objects.order_by("id").values_list("id", flat=True)[:PAGE_SIZE])
    first_deals = list(Deal.objects.order_by("id").values_list("id", flat=True)[:PAGE_SIZE])
    return secret, first_contacts, first_deals


def _rest_check(expected: list[int], custom_key: str = "tier") -> Callable[[int, bytes], str | None]:
    def check(status: int, body: bytes) -> str | None:
        if status != 200:
            return f"REST answered {status}: {body[:200]!r}"
        if json.loads(body)["results"][0]["custom"].get(custom_key) is None:
            return f"REST left out the custom field {custom_key}"
        ids = [row["id"] for row in json.loads(body)["results"]]
        return None if ids == expected else f"REST returned other rows: {ids[:5]}…"

    return check


def _graphql_check(expected: list[int]) -> Callable[[int, bytes], str | None]:
    import base64

    def check(status: int, body: bytes) -> str | None:
        payload = json.loads(body)
        if status != 200 or payload.get("errors"):
            return f"GraphQL answered {status}: {str(payload.get('errors'))[:200]}"
        edges = payload["data"]["contacts"]["edges"]
        ids = [int(base64.b64decode(edge["node"]["id"]).decode().rsplit(":", 1)[1]) for edge in edges]
        return None if ids == expected else f"GraphQL returned other rows: {ids[:5]}…"

    return check


def _health_check(status: int, body: bytes) -> str | None:
    return None if status == 200 else f"/healthz answered {status}"


def _hammer(port: int, host: str, token: str, endpoint: Endpoint, clients: int, seconds: float) -> Tally:
    """``clients`` threads on keep-alive connections sending ``endpoint`` until ``seconds`` pass."""
    tally = Tally()
    headers = {"Host": host, "Authorization": f"Bearer {token}", "Accept": "application/json"}
    if endpoint.body is not None:
        headers["Content-Type"] = "application/json"
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.perf_counter() < stop_at and tally.failure is None:
                started = time.perf_counter()
                conn.request(endpoint.method, endpoint.path, body=endpoint.body, headers=headers)
                response = conn.getresponse()
                body = response.read()
                problem = endpoint.check(response.status, body)
                if problem:
                    tally.fail(problem)
                    return
                tally.add(time.perf_counter() - started)
        except OSError as error:
            tally.fail(f"{endpoint.label}: {type(error).__name__}: {error}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def _contact_statements(schema: str) -> list[str]:
    """The contacts page's own queries: the page, owners, companies, tags."""
    return [
        f'SELECT * FROM "{schema}".contacts_contact ORDER BY id LIMIT {PAGE_SIZE + 1}',
        f'SELECT u.* FROM "{schema}".identity_user u WHERE u.id IN (SELECT owner_id FROM "{schema}".contacts_contact '
        f"ORDER BY id LIMIT {PAGE_SIZE})",
        f'SELECT c.* FROM "{schema}".contacts_company c WHERE c.id IN (SELECT company_id FROM '
        f'"{schema}".contacts_contact ORDER BY id LIMIT {PAGE_SIZE})',
        f'SELECT t.*, ct.contact_id FROM "{schema}".contacts_tag t JOIN "{schema}".contacts_contact_tags ct '
        f'ON ct.tag_id = t.id WHERE ct.contact_id IN (SELECT id FROM "{schema}".contacts_contact ORDER BY id '
        f"LIMIT {PAGE_SIZE})",
    ]


def _deal_statements(schema: str) -> list[str]:
    """The deals page's own queries: the page with its stage and pipeline, owners, companies, contacts, tags."""
    page = f'SELECT {{column}} FROM "{schema}".sales_deal ORDER BY id LIMIT {PAGE_SIZE}'
    return [
        f'SELECT d.*, s.*, p.* FROM "{schema}".sales_deal d JOIN "{schema}".sales_stage s ON s.id = d.stage_id '
        f'JOIN "{schema}".sales_pipeline p ON p.id = d.pipeline_id ORDER BY d.id LIMIT {PAGE_SIZE + 1}',
        f'SELECT u.* FROM "{schema}".identity_user u WHERE u.id IN ({page.format(column="owner_id")})',
        f'SELECT c.* FROM "{schema}".contacts_company c WHERE c.id IN ({page.format(column="company_id")})',
        f'SELECT c.* FROM "{schema}".contacts_contact c WHERE c.id IN ({page.format(column="contact_id")})',
        f'SELECT t.*, dt.deal_id FROM "{schema}".contacts_tag t JOIN "{schema}".sales_deal_tags dt '
        f"ON dt.tag_id = t.id WHERE dt.deal_id IN ({page.format(column='id')})",
    ]


def _sql_floor(statements: list[str], clients: int, seconds: float) -> Tally:
    """A page's own queries straight through psycopg, one connection per client."""
    from django.conf import settings

    params = settings.DATABASES["default"]
    tally = Tally()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        with psycopg.connect(
            dbname=params["NAME"], user=params["USER"], password=params["PASSWORD"], host=params["HOST"],
            port=params["PORT"] or None,
        ) as conn:  # fmt: skip
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                for statement in statements:
                    conn.execute(statement).fetchall()  # type: ignore[arg-type]
                tally.add(time.perf_counter() - started)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def measure(
    tenant: Tenant,
    token: str,
    expected: list[int],
    expected_deals: list[int],
    clients: int,
    seconds: float,
    rounds: int,
    log_file: Path,
) -> dict[str, list[Tally]]:
    endpoints = {
        "rest": Endpoint("REST", "GET", REST_PATH, None, _rest_check(expected)),
        "deals": Endpoint("REST deals", "GET", DEALS_PATH, None, _rest_check(expected_deals, "region")),
        "graphql": Endpoint(
            "GraphQL",
            "POST",
            "/graphql/",
            json.dumps({"query": GRAPHQL_QUERY, "variables": {"first": PAGE_SIZE}}).encode(),
            _graphql_check(expected),
        ),
        "health": Endpoint("/healthz", "GET", "/healthz", None, _health_check),
    }
    # With BENCH_API_BEFORE naming a checkout of the code before a change, a second gunicorn runs that
    # code on the same database and tenant, and each endpoint is measured on both in turn, same rounds.
    before = os.environ.get("BENCH_API_BEFORE")
    servers = {"": (_free_port(), BASE_DIR)}
    if before:
        servers["before:"] = (_free_port(), Path(before).resolve())
    connection.close()
    processes = []
    results: dict[str, list[Tally]] = {f"{prefix}{name}": [] for prefix in servers for name in endpoints}
    try:
        for prefix, (port, code_dir) in servers.items():
            processes.append(
                _start_gunicorn(port, log_file.with_suffix(f".{prefix.strip(':') or 'now'}.log"), code_dir)
            )
        for port, _code_dir in servers.values():
            for endpoint in endpoints.values():  # warm-up: every worker loads its code and schema
                _hammer(port, tenant.primary_host, token, endpoint, clients, 2)
        for round_index in range(rounds):
            order = ["rest", "graphql", "deals"] if round_index % 2 == 0 else ["deals", "graphql", "rest"]
            prefixes = list(servers) if round_index % 2 == 0 else list(reversed(servers))
            for name in [*order, "health"]:
                for prefix in prefixes:
                    port = servers[prefix][0]
                    log(f"api: round {round_index + 1}/{rounds}, {prefix}{endpoints[name].label}")
                    results[f"{prefix}{name}"].append(
                        _hammer(port, tenant.primary_host, token, endpoints[name], clients, seconds)
                    )
    finally:
        for process in processes:
            stop_process(process)
    results["sql"] = [_sql_floor(_contact_statements(tenant.schema_name), clients, seconds) for _ in range(rounds)]
    results["deals_sql"] = [_sql_floor(_deal_statements(tenant.schema_name), clients, seconds) for _ in range(rounds)]
    return results


def _share(page: list[Tally], floor: list[Tally]) -> str:
    served = statistics.median(tally.requests for tally in page)
    ceiling = statistics.median(tally.requests for tally in floor)
    return f"{served / ceiling:.1%}" if ceiling else "n/a"


def _row(label: str, tallies: list[Tally], seconds: float, note: str) -> list[str]:
    rates = [tally.requests / seconds for tally in tallies]
    latencies = [latency for tally in tallies for latency in tally.latencies]
    ordered = sorted(latencies) or [0.0]
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return [
        label,
        f"{statistics.median(rates):.1f}",
        report.milliseconds(statistics.median(ordered)),
        report.milliseconds(p95),
        str(sum(tally.requests for tally in tallies)),
        note,
    ]


def run(contacts: int = 1000, clients: int = 8, seconds: float = 15, rounds: int = 2) -> tuple[str, list[str]]:
    failures: list[str] = []
    log(f"api: provisioning {SLUG} with {contacts} contacts")
    tenant = create_tenant(SLUG, "clone")
    log_file = BASE_DIR / "var" / "bench" / "bench-api-gunicorn.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Every module, so the deals API answers (a plan gate otherwise).
        Tenant.objects.filter(pk=tenant.pk).update(enabled_modules=[module.key for module in MODULES])
        with tenant_context(tenant):
            token, expected, expected_deals = _seed(contacts)
        results = measure(tenant, token, expected, expected_deals, clients, seconds, rounds, log_file)
    finally:
        connection.set_schema_to_public()
        delete_tenant_schema(tenant)
    for name, tallies in results.items():
        failures += [f"{name}: {tally.failure}" for tally in tallies if tally.failure]
    workers = os.environ.get("WEB_WORKERS", "2")
    threads = os.environ.get("WEB_THREADS", "4")
    rows = [
        _row("REST `GET /api/v1/contacts/?page_size=50`", results["rest"], seconds, "all fields, custom fields too"),
        _row("GraphQL `contacts(first: 50)`", results["graphql"], seconds, "the same fields selected"),
        _row("baseline: `/healthz`", results["health"], seconds, "middleware and gunicorn, no database"),
        _row("baseline: the page's SQL via psycopg", results["sql"], seconds, "4 statements, no HTTP, no Django"),
        _row(
            "REST `GET /api/v1/deals/?page_size=50`", results["deals"], seconds,
            "stage, pipeline, owner, company, contact, tags, custom fields",
        ),
        _row("baseline: the deals page's SQL via psycopg", results["deals_sql"], seconds, "5 statements"),
    ]  # fmt: skip
    before = os.environ.get("BENCH_API_BEFORE")
    if before:
        revision = (
            subprocess.run(
                ["git", "-C", before, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
            ).stdout.strip()
            or "?"
        )
        for name, label in (
            ("rest", "REST contacts"),
            ("graphql", "GraphQL contacts"),
            ("deals", "REST deals"),
            ("health", "/healthz"),
        ):
            rows.append(
                _row(f"before the change ({revision}): {label}", results[f"before:{name}"], seconds, "same rounds")
            )
    shares = {name: _share(results[name], results[floor]) for name, floor in (("rest", "sql"), ("deals", "deals_sql"))}
    health = statistics.median(tally.requests for tally in results["health"])
    rest = statistics.median(tally.requests for tally in results["rest"])
    graphql = statistics.median(tally.requests for tally in results["graphql"])
    ratio = f"{rest / graphql:.2f}" if graphql else "n/a"
    body = "\n".join(
        [
            "## API throughput: REST vs GraphQL",
            "",
            f"The first page of 50 contacts (company, owner and tags as objects, a custom field) out of "
            f"{contacts:,}, and of 50 deals out of as many (stage, pipeline, owner, company, contact, tags, a "
            f"custom field), with an API key, over HTTP against gunicorn ({workers} gthread workers × "
            f"{threads} threads, infra/gunicorn.conf.py), "
            f"{clients} client threads on keep-alive connections, {rounds} rounds of {seconds:.0f} s alternating "
            "the order. Every response was checked (status, the same 50 ids on both sides).",
            "",
            report.table(["request", "req/s (median round)", "median", "p95", "requests", "note"], rows),
            "",
            f"REST served {ratio}× the requests of GraphQL for the same page. Against the same page's SQL through "
            f"psycopg: REST contacts {shares['rest']}, REST deals {shares['deals']} (goal: at least 50 %); "
            f"REST contacts served {rest / health:.1%} of `/healthz`'s requests. The client threads share the "
            "machine's cores with the server and PostgreSQL.",
            "",
            report.machine(server_version()),
        ]
    )
    if failures:
        body += "\n\nFailures:\n\n" + "\n".join(f"- {failure}" for failure in failures)
    return body, failures
