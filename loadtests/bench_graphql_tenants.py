"""GraphQL over many tenants with custom fields: cold and warm, schema builds, against REST.

A tenant's GraphQL schema carries its custom fields and costs ~100 ms of CPU to build. A source
bench tenant is provisioned by the real service and seeded (``contacts`` contacts with a company,
tags and three custom fields, an API key); its schema, data included, is then copied by ``pg_dump``
and psql into ``tenants`` - 1 more schemas with their tenant rows and domains (the same rows
provisioning writes: the copy is a faster clone, and every copy keeps the source's key). Tenants are
spread over ``definition_sets`` sets of definitions: in set k > 0 the ``tier`` field is labelled
"Tier k", a description that changes the schema, as tenants that set up their fields apart do.

``loadtests/graphql_tenants_probe.py`` then runs in a fresh child process per measurement, with
each checkout's own code: GraphQL with this code, GraphQL with the code before a change
(``BENCH_API_BEFORE``), and REST with this code. Each asks every tenant for its first page of 50
contacts (custom fields included) once cold and once warm, counting schema builds.

    run(tenants=1000, definition_sets=20, contacts=50) -> (markdown section, failures)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context

from customization.fields.services import create_definition
from identity.models import User
from identity.services.api_keys import create_api_key
from loadtests import report
from loadtests.support import BASE_DIR, Psql, bench_slugs, create_tenant, log, server_version
from modules.contacts.models import Company, Contact, Tag
from modules.registry import MODULES
from tenants.models import Domain, Tenant
from tenants.services.provisioning import delete_tenant_schema
from tenants.validators import schema_name_for_slug

COPIES_PER_SESSION = 20
PROBE = BASE_DIR / "loadtests" / "graphql_tenants_probe.py"


def _seed(contacts: int) -> str:
    """Three custom fields, ``contacts`` contacts with values, an API key; returns its secret."""
    admin = User.objects.filter(role__key="admin").order_by("id").first()
    if admin is None:
        raise RuntimeError("the bench tenant has no admin")
    create_definition(by=admin, entity="contact", key="tier", label="Tier", field_type="text")
    create_definition(
        by=admin, entity="contact", key="segment", label="Segment", field_type="single_select",
        options=[{"value": value, "label": value.title()} for value in ("retail", "wholesale", "public")],
    )  # fmt: skip
    create_definition(by=admin, entity="contact", key="score", label="Score", field_type="number")
    tags = [Tag.objects.create(name=f"Segment {index}") for index in range(3)]
    companies = Company.objects.bulk_create(Company(name=f"Company {index}", owner=admin) for index in range(10))
    rows = Contact.objects.bulk_create(
        Contact(
            first_name=f"First{index}", last_name=f"Last{index}", full_name=f"First{index} Last{index}",
            email=f"contact{index}@bench.test", job_title="Buyer", company=companies[index % 10], owner=admin,
            custom={"tier": "Gold", "segment": "retail", "score": index},
        )
        for index in range(contacts)
    )  # fmt: skip
    through = Contact.tags.through
    through.objects.bulk_create(through(contact_id=row.pk, tag_id=tags[row.pk % 3].pk) for row in rows)
    _key, secret = create_api_key(user=admin, name="Bench", scopes=["contacts:read"])
    return secret


def _copy_schemas(psql: Psql, source: Tenant, slugs: list[str], definition_sets: int) -> None:
    """``source``'s schema with its rows into one schema per slug, then their tenant rows and domains."""
    dump = subprocess.run(
        [*psql.tool("pg_dump"), "--no-owner", "--no-privileges", "-n", source.schema_name],
        env=psql.environment, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    pattern = re.compile(rf"\b{re.escape(source.schema_name)}\b")
    unique = {"id", "name", "slug", "schema_name", "created_at", "updated_at"}
    copied = {field.attname: getattr(source, field.attname) for field in Tenant._meta.concrete_fields}
    copied = {name: value for name, value in copied.items() if name not in unique}
    for start in range(0, len(slugs), COPIES_PER_SESSION):
        batch = slugs[start : start + COPIES_PER_SESSION]
        statements = []
        for offset, slug in enumerate(batch, start=start + 1):
            schema = schema_name_for_slug(slug)
            statements.append(pattern.sub(schema, dump))
            definition_set = offset % definition_sets
            if definition_set:
                statements.append(
                    f"UPDATE \"{schema}\".custom_fields_customfielddefinition SET label = 'Tier {definition_set}'"
                    " WHERE key = 'tier';"
                )
        psql.run("\n".join(statements))
        Tenant.objects.bulk_create(
            Tenant(**copied, name=f"Bench {slug}", slug=slug, schema_name=schema_name_for_slug(slug)) for slug in batch
        )
        tenants = Tenant.objects.filter(slug__in=batch)
        Domain.objects.bulk_create(
            Domain(domain=tenant.primary_host, tenant=tenant, is_primary=True) for tenant in tenants
        )
        log(f"graphql_tenants: {start + len(batch) + 1} tenants")


def _probe(tree: Path, api: str, token: str, hosts_file: Path) -> dict[str, Any]:
    connection.close()
    completed = subprocess.run(
        [sys.executable, str(PROBE), "--api", api, "--token", token, "--hosts", str(hosts_file)],
        cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"the {api} probe in {tree} failed: {(lines or [completed.stderr[-1500:]])[-1]}")
    return json.loads(lines[-1])  # type: ignore[no-any-return]


def _revision(tree: Path) -> str:
    found = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return found.stdout.strip() or tree.name


def run(psql: Psql, tenants: int = 1000, definition_sets: int = 20, contacts: int = 50) -> tuple[str, list[str]]:
    failures: list[str] = []
    slugs = list(bench_slugs("gql", tenants))
    log(f"graphql_tenants: provisioning {slugs[0]} and copying it to {tenants - 1} more tenants")
    started = time.perf_counter()
    source = create_tenant(slugs[0], "clone")
    Tenant.objects.filter(pk=source.pk).update(enabled_modules=[module.key for module in MODULES])
    source.refresh_from_db()
    measured: dict[str, dict[str, Any]] = {}
    before = os.environ.get("BENCH_API_BEFORE")
    runs = [("GraphQL, this code", BASE_DIR, "graphql")]
    if before:
        runs.append((f"GraphQL, before (`{_revision(Path(before))}`)", Path(before).resolve(), "graphql"))
    runs.append(("REST, this code", BASE_DIR, "rest"))
    try:
        with tenant_context(source):
            token = _seed(contacts)
        connection.set_schema_to_public()
        _copy_schemas(psql, source, slugs[1:], definition_sets)
        setup_seconds = time.perf_counter() - started
        hosts = [f"{slug}.{settings.BASE_DOMAIN}" for slug in slugs]
        with tempfile.NamedTemporaryFile("w", suffix=".hosts", delete=False) as hosts_file:
            hosts_file.write("\n".join(hosts))
        for label, tree, api in runs:
            log(f"graphql_tenants: {label}")
            try:
                measured[label] = _probe(tree, api, token, Path(hosts_file.name))
            except RuntimeError as error:
                failures.append(str(error))
        Path(hosts_file.name).unlink()
    finally:
        connection.set_schema_to_public()
        log("graphql_tenants: dropping the bench tenants")
        for tenant in Tenant.objects.filter(slug__in=slugs):
            delete_tenant_schema(tenant)
    return _section(tenants, definition_sets, contacts, setup_seconds, runs, measured, failures), failures


def _section(
    tenants: int, definition_sets: int, contacts: int, setup_seconds: float, runs: list[tuple[str, Path, str]],
    measured: dict[str, dict[str, Any]], failures: list[str],
) -> str:  # fmt: skip
    rows = []
    for label, _tree, api in runs:
        result = measured.get(label)
        if result is None:
            continue
        for name, figures in zip(("cold", "warm"), result["passes"], strict=False):
            hit_rate = "—" if api == "rest" else f"{1 - figures['builds'] / figures['requests']:.1%}"
            rows.append([
                f"{label}: {name} pass", report.milliseconds(figures["wall_median"]),
                report.milliseconds(figures["wall_p95"]), report.milliseconds(figures["cpu_mean"]),
                f"{figures['builds']:,}", hit_rate, f"{figures['rss'] / 2**20:,.0f} MiB",
            ])  # fmt: skip
    body = [
        f"## GraphQL over {tenants:,} tenants with custom fields: cold and warm, schema builds, vs REST",
        "",
        f"{tenants:,} tenants, each with {contacts} contacts (company, owner, tags) and three contact custom fields "
        f"(text, single select, number), in {definition_sets} sets of definitions (set k > 0 labels its text field "
        f'"Tier k", which changes the schema\'s descriptions). One source tenant provisioned by the service and '
        f"seeded, the rest copies of its schema by `pg_dump` and psql with their own tenant rows and domains "
        f"(set-up {setup_seconds:,.0f} s, not measured). Each row is one fresh web process (its checkout's "
        "gunicorn settings: per-process caches on, persistent connections) asking every tenant once for the "
        "first page of 50 contacts with an API key, custom fields included, in one shuffled order: the cold pass "
        "finds nothing cached, the warm pass repeats it. Through Django's whole stack in process (test client, "
        "no network). CPU is the process's own per request (mean: builds are rare and large); schema builds and "
        "the hit rate (requests served by an already built schema) are counted in the process; memory is its "
        "resident size after the pass.",
        "",
        report.table(
            ["measurement", "median", "p95", "CPU (mean)", "schema builds", "schema hit rate", "process RSS"], rows
        ),
        "",
        report.machine(server_version()),
    ]
    if failures:
        body += ["", "Failures:", "", *(f"- {failure}" for failure in failures)]
    return "\n".join(body)
