"""Provisioning time: a new tenant's schema built by migrations, cloned from the template, or
taken from the pool of spare schemas cloned in advance.

Runs the real service (``request_tenant`` + ``provision_tenant``) with
``TENANT_PROVISIONING_METHOD`` set to "migrate", to "clone" with no spare schemas, and to "clone"
with one spare ready (refilled before each sample, not timed), the three alternating so drift in
the machine hits them alike, and times the service's own steps while they run: the schema step
(``_build_schema``), and within it ``take_spare()``, ``clone_schema()`` and the migration check
that follows (it applies what the template lacked: usually nothing, found with one query).
The baseline replays the template's schema-only ``pg_dump`` through one ``psql`` session: the
raw-SQL cost of creating the same tables, with no Django and no PL/pgSQL in between.
"""

from __future__ import annotations

import functools
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from django.test import override_settings

from loadtests import report
from loadtests.support import (
    SCRATCH_SCHEMA_PREFIX,
    Psql,
    create_tenant,
    log,
    server_version,
    stopwatch,
    tenant_migration_count,
)
from tenants.services import provisioning, spare_schemas
from tenants.services.provisioning import delete_tenant_schema, drop_schema, schema_fingerprint

METHODS = ("migrate", "clone", "spare")
TIMED_STEPS = ("_build_schema", "take_spare", "clone_schema", "migrate_schema")
GOAL_SECONDS = 0.3  # issue goal: provisioning p95 ≤ 300 ms end to end
WARM_UP_ROUNDS = 1  # the first round pays imports and cold caches; it is run but not reported


@dataclass
class Samples:
    """Seconds per sample, keyed by measurement."""

    values: dict[str, list[float]] = field(default_factory=dict)

    def add(self, key: str, value: float) -> None:
        self.values.setdefault(key, []).append(value)

    def summary(self, key: str) -> report.Summary:
        return report.Summary.of(self.values[key])


@contextmanager
def timed_steps(steps: dict[str, float]) -> Iterator[None]:
    """Time the service's schema steps from inside provision_tenant(), which calls them by module name."""

    def timed(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                steps[name] = steps.get(name, 0.0) + time.perf_counter() - start

        return wrapper

    with ExitStack() as stack:
        for name in TIMED_STEPS:
            stack.enter_context(mock.patch.object(provisioning, name, timed(name, getattr(provisioning, name))))
        yield


def _provision_once(slug: str, method: str) -> dict[str, float]:
    steps: dict[str, float] = {}
    with timed_steps(steps), stopwatch() as elapsed:
        tenant = create_tenant(slug, method)
    steps["total"] = elapsed[0]
    delete_tenant_schema(tenant)
    return steps


def _template_dump(psql: Psql, template: str) -> str:
    """The template's schema-only dump, as SQL that creates the same objects in a placeholder schema."""
    dump = subprocess.run(
        [*psql.tool("pg_dump"), "--schema-only", "--no-owner", "--no-privileges", "-n", template],
        env=psql.environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return re.sub(rf"\b{re.escape(template)}\b", "{schema}", dump.replace("{", "{{").replace("}", "}}"))


def _replay_once(psql: Psql, dump: str, schema: str) -> float:
    with stopwatch() as elapsed:
        psql.run("BEGIN;\n" + dump.format(schema=schema) + "\nCOMMIT;\n")
    return elapsed[0]


def p95(values: list[float]) -> float:
    """The nearest-rank 95th percentile (the slowest of up to 19 samples)."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def _fill_pool() -> None:
    """One spare ready for the next "spare" sample (cloned now, outside the timing)."""
    with override_settings(TENANT_PROVISIONING_METHOD="clone", TENANT_SPARE_SCHEMAS=1):
        spare_schemas.refill()


def run(psql: Psql, samples: int, *, with_migrate: bool = True) -> str:
    """Provision ``samples`` tenants per method (plus a warm-up round); return the doc section."""
    template = provisioning.template_schema()
    if template is None:
        raise RuntimeError("no active template tenant: prepare() must run first")
    spare_schemas.discard_all()
    migrations = tenant_migration_count(template)
    dump = _template_dump(psql, template)
    figures = Samples()
    replay_matches = True
    rounds = WARM_UP_ROUNDS + samples
    methods = METHODS if with_migrate else tuple(method for method in METHODS if method != "migrate")
    try:
        for round_number in range(rounds):
            kept = round_number >= WARM_UP_ROUNDS
            for method in methods:
                if method == "spare":
                    _fill_pool()
                steps = _provision_once(f"bench-prov-{method}-{round_number:02d}", method)
                if kept:
                    for key, value in steps.items():
                        figures.add(f"{method}:{key}", value)
            replay_schema = f"{SCRATCH_SCHEMA_PREFIX}{round_number:02d}"
            try:
                replay = _replay_once(psql, dump, replay_schema)
                replay_matches &= schema_fingerprint(replay_schema) == schema_fingerprint(template)
            finally:
                drop_schema(replay_schema)
            if kept:
                figures.add("replay", replay)
            label = "warm-up" if not kept else f"sample {round_number}/{samples}"
            log(
                f"provisioning {label}: "
                + ", ".join(f"{method} {_figures_line(figures, method, kept)}" for method in methods)
                + f", psql replay {replay * 1000:.0f} ms"
            )
    finally:
        spare_schemas.discard_all()
    if len(figures.values.get("spare:take_spare", [])) != samples or "spare:clone_schema" in figures.values:
        raise RuntimeError("a spare-pool sample did not take its spare")
    return _section(figures, migrations, samples, replay_matches)


def _figures_line(figures: Samples, method: str, kept: bool) -> str:
    if not kept:
        return "(not kept)"
    return f"{figures.values[f'{method}:total'][-1] * 1000:.0f} ms"


def _section(figures: Samples, migrations: int, samples: int, replay_matches: bool) -> str:
    s = figures.summary
    ms = report.milliseconds
    spare_p95, clone_p95 = p95(figures.values["spare:total"]), p95(figures.values["clone:total"])
    spare_total, clone_total = s("spare:total").median, s("clone:total").median
    rows = [
        report.summary_row("**spare**: `provision_tenant()`, whole", s("spare:total")),
        report.summary_row("spare: schema step (take a spare + migration check)", s("spare:_build_schema")),
        report.summary_row("spare: … of which `take_spare()` (`ALTER SCHEMA … RENAME`)", s("spare:take_spare")),
        report.summary_row("spare: … of which the migration check after it", s("spare:migrate_schema")),
        report.summary_row("**clone** (pool empty or off): `provision_tenant()`, whole", s("clone:total")),
        report.summary_row("clone: schema step (`clone_schema()` + migration check)", s("clone:_build_schema")),
        report.summary_row("clone: … of which `clone_schema()` alone", s("clone:clone_schema")),
        report.summary_row("clone: … of which the migration check after it", s("clone:migrate_schema")),
        report.summary_row("baseline: `psql` replay of the template's schema-only dump", s("replay")),
    ]
    if "migrate:total" in figures.values:
        rows[-1:-1] = [
            report.summary_row("**migrate**: `provision_tenant()`, whole", s("migrate:total")),
            report.summary_row(
                f"migrate: … of which applying the migrations ({migrations})", s("migrate:migrate_schema")
            ),
        ]
        migrate_line = f"""Building by migrations takes {ms(s("migrate:total").median)} (median),
{s("migrate:total").median / clone_total:.1f}× the clone: the default `TENANT_PROVISIONING_METHOD` stays `clone`,
which the spare pool needs."""
    else:
        migrate_line = """The migrate path was left out of this run (`--provision-without-migrate`): on the loaded
machine one tenant by migrations took minutes. The default `TENANT_PROVISIONING_METHOD` stays `clone`,
which the spare pool needs."""
    seed_and_activate = spare_total - s("spare:_build_schema").median
    return f"""
## Provisioning: spare schemas, cloning the template, or migrations

_{report.machine(server_version())}_

One tenant provisioned end to end by the real service (`request_tenant()` + `provision_tenant()`:
schema, seed roles and admin, attach domain), {samples} samples per path (after {WARM_UP_ROUNDS} warm-up
round, not counted), the paths alternating; each tenant is deleted again with
`delete_tenant_schema()`. **spare**: `TENANT_PROVISIONING_METHOD` = `clone` with a pool of one spare
schema, cloned before the sample and not timed (what the refill task does between signups); the
signup renames it (`ALTER SCHEMA … RENAME` in one transaction with the pool row, taken with
`FOR UPDATE SKIP LOCKED`) and checks its migrations. **clone**: the same with the pool empty (or off):
django-tenants' PL/pgSQL `clone_schema()` copies the template. **migrate**: every migration applied
to an empty schema. The steps are timed inside `provision_tenant()` by wrapping the service's own
`_build_schema`, `take_spare`, `clone_schema` and `migrate_schema`. A tenant schema has {migrations}
migrations (two of them from the bench-only `loadtests.benchapp`). The baseline replays
`pg_dump --schema-only` of the template through one `psql` session in one transaction (the replayed
schema has the template's tables and columns: {"yes" if replay_matches else "NO"}).

{report.table(["measurement", "median", "min", "max"], rows)}

**Goal p95 ≤ 300 ms end to end: {"met" if spare_p95 <= GOAL_SECONDS else "not met"} with a spare ready** —
p95 {ms(spare_p95)} over {samples} signups (nearest rank), median {ms(spare_total)}, against p95
{ms(clone_p95)} and median {ms(clone_total)} when the signup has to clone ({clone_total / spare_total:.1f}× the
spare path's median, same run). With a spare, the schema step is a rename and one query
({ms(s("spare:_build_schema").median)}); what remains is seeding the roles, the modules' starting data and
the first administrator, and attaching the domain ({ms(seed_and_activate)}). The clone path is what a
signup pays when the pool is empty: more signups between two refills than `TENANT_SPARE_SCHEMAS`
(3 by default; each refill clones one spare in about the clone's `clone_schema()` time, one at a time
under the clone lock), or right after a fleet migration discarded stale spares. {migrate_line}
"""
