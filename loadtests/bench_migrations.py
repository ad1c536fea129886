"""Fleet migrations: ``migrate_schemas --tenant`` across N tenant schemas versus plain psql.

The fleet is N real tenants cloned from the template by the provisioning service, so
``migrate_schemas`` finds them as it finds customers. Measured, each in a fresh
``manage.py`` process (as a deploy runs it), with the standard and the multiprocessing executor:
a run with nothing to apply, and a run applying ``loadtests.benchapp`` 0002 (one nullable
ADD COLUMN) to every schema. The baseline runs the very DDL of that migration with the psql
that pgserver ships: one psql process per schema, and all statements in one psql session.
Before each timed ADD COLUMN the fleet is rewound to benchapp 0001 by SQL (untimed; dropping the
column and its migration record is what ``migrate benchapp 0001`` does, minus Django's minutes of
overhead), so every measurement starts from the same tables.
"""

from __future__ import annotations

import subprocess

from django.conf import settings

from loadtests import report
from loadtests.bench_provisioning import timed_steps
from loadtests.support import (
    ADD_COLUMN,
    DROP_COLUMN,
    UNAPPLY_0002,
    Psql,
    bench_slugs,
    create_tenant,
    drop_bench_tenants,
    fleet_schemas,
    log,
    manage,
    restore_template,
    server_version,
    stopwatch,
)

EXECUTORS = ("standard", "multiprocessing")
QUIET = ("--noinput", "--verbosity", "0")
START_UP_RUNS = 2  # the start-up cost is subtracted from every fleet run, so take the median of a few


def _create_fleet(count: int) -> dict[str, list[float]]:
    """Provision ``count`` bench tenants by clone; return each one's seconds, whole and by step."""
    durations: dict[str, list[float]] = {"total": [], "clone_schema": [], "migrate_schema": []}
    for index, slug in enumerate(bench_slugs("fleet", count), start=1):
        steps: dict[str, float] = {}
        with timed_steps(steps), stopwatch() as elapsed:
            create_tenant(slug, "clone")
        durations["total"].append(elapsed[0])
        durations["clone_schema"].append(steps["clone_schema"])
        durations["migrate_schema"].append(steps["migrate_schema"])
        if index % 25 == 0 or index == count:
            log(f"fleet: {index}/{count} tenants cloned ({sum(durations['total']):.1f} s so far)")
    return durations


def _migrate_fleet(executor: str, *target: str) -> float:
    return manage("migrate_schemas", "--tenant", "--executor", executor, *target, *QUIET)


def _psql_loop(psql: Psql, schemas: list[str]) -> float:
    """One psql process per schema, as a shell loop over the schemas would run it."""
    with stopwatch() as elapsed:
        for schema in schemas:
            subprocess.run(psql.command(ADD_COLUMN.format(schema=schema)), env=psql.environment, check=True)
    return elapsed[0]


def _psql_session(psql: Psql, schemas: list[str]) -> float:
    """All statements in one psql session (each its own transaction, as in the loop)."""
    with stopwatch() as elapsed:
        psql.run("\n".join(ADD_COLUMN.format(schema=schema) for schema in schemas))
    return elapsed[0]


def _sql_each(psql: Psql, statement: str, schemas: list[str]) -> None:
    psql.run("\n".join(statement.format(schema=schema) for schema in schemas))


def run(psql: Psql, tenants: int, samples: int) -> str:
    """Build the fleet, time the migrations, drop the fleet; return the doc section."""
    log(f"fleet: cloning {tenants} tenants from the template")
    try:
        creation = _create_fleet(tenants)
        schemas = fleet_schemas()
        template = settings.TENANT_TEMPLATE_SCHEMA
        figures: dict[str, list[float]] = {}

        def keep(key: str, value: float) -> None:
            figures.setdefault(key, []).append(value)
            log(f"fleet: {key} over {len(schemas)} schemas: {value:.2f} s")

        for _ in range(samples):
            for _ in range(START_UP_RUNS):
                keep("one schema", manage("migrate_schemas", "--schema", template, *QUIET))
            for executor in EXECUTORS:
                keep(f"no-op {executor}", _migrate_fleet(executor))
            # Deploys usually run at the default verbosity (a line per migrated schema).
            keep("no-op standard verbose", manage("migrate_schemas", "--tenant", "--noinput", quiet=True))
        for _ in range(samples):
            for executor in EXECUTORS:
                _sql_each(psql, UNAPPLY_0002, schemas)
                keep(f"add column {executor}", _migrate_fleet(executor))
            _sql_each(psql, UNAPPLY_0002, schemas)
            keep("psql loop", _psql_loop(psql, schemas))
            _sql_each(psql, DROP_COLUMN, schemas)
            keep("psql session", _psql_session(psql, schemas))
    finally:
        log(f"fleet: dropped {drop_bench_tenants()} bench tenants")
        restore_template(psql)
    return _section(figures, creation, len(schemas), tenants, samples)


def _section(
    figures: dict[str, list[float]], creation: dict[str, list[float]], schemas: int, tenants: int, samples: int
) -> str:
    s = {key: report.Summary.of(values) for key, values in figures.items()}
    processes = settings.TENANT_MULTIPROCESSING_MAX_PROCESSES
    ms = report.milliseconds
    start_up = s["one schema"].median

    def per_schema(key: str) -> float:
        """migrate_schemas: beyond its start-up run; psql: all of it (a loop starts psql per schema)."""
        if key.startswith("psql"):
            return s[key].median / schemas
        return (s[key].median - start_up) / (schemas - 1)

    label = {
        "one schema": "`migrate_schemas --schema tenant_template` (start-up + 1 schema)",
        "no-op standard": "no-op `migrate_schemas --tenant`, standard executor",
        "no-op multiprocessing": f"no-op `migrate_schemas --tenant`, multiprocessing ({processes} processes)",
        "no-op standard verbose": "no-op `migrate_schemas --tenant`, standard executor, default `--verbosity 1`",
        "add column standard": "ADD COLUMN via `migrate_schemas --tenant`, standard executor",
        "add column multiprocessing": (
            f"ADD COLUMN via `migrate_schemas --tenant`, multiprocessing ({processes} processes)"
        ),
        "psql loop": "baseline: ADD COLUMN, one `psql` process per schema",
        "psql session": "baseline: ADD COLUMN, all statements in one `psql` session",
    }
    rows = [
        [*report.summary_row(text, s[key], unit="s"), "—" if key == "one schema" else ms(per_schema(key))]
        for key, text in label.items()
    ]
    tenth = max(1, tenants // 10)
    creation_rows = [
        report.summary_row(f"`provision_tenant()` by clone, all {tenants}", report.Summary.of(creation["total"])),
        report.summary_row(f"… the first {tenth}", report.Summary.of(creation["total"][:tenth])),
        report.summary_row(f"… the last {tenth}", report.Summary.of(creation["total"][-tenth:])),
        report.summary_row("`clone_schema()` alone, all", report.Summary.of(creation["clone_schema"])),
        report.summary_row("no-op `migrate_schemas` after it, all", report.Summary.of(creation["migrate_schema"])),
    ]
    speed_up = (s["add column standard"].median - start_up) / (s["add column multiprocessing"].median - start_up)
    noop_speed_up = (s["no-op standard"].median - start_up) / (s["no-op multiprocessing"].median - start_up)
    overhead = per_schema("add column standard") / per_schema("psql loop")
    noop_share = per_schema("no-op standard") / per_schema("add column standard")
    noop_1000 = start_up + 1000 * per_schema("no-op standard")
    return f"""
## Fleet migrations: `migrate_schemas` across {tenants} tenants vs plain psql

_{report.machine(server_version())}_

{tenants} bench tenants, cloned from the template by the provisioning service, plus the template tenant
itself: `migrate_schemas --tenant` migrates **{schemas} schemas**, and the psql baseline runs over the same
{schemas}. Each `migrate_schemas` run is a fresh `manage.py` process (`--noinput --verbosity 0` unless said
otherwise), as a deploy runs it; its start-up cost is the first row ({START_UP_RUNS} runs per sample).
{samples} sample(s) per fleet measurement, each one a run over the whole fleet (two by default, to keep
`make bench` within ~15 minutes on 2 CPUs; `--fleet-samples N` for more). The ADD COLUMN is migration
`loadtests.benchapp` 0002 (a bench-only app installed by `crm_platform.settings.bench`). Apples to apples:
before every timed ADD COLUMN the fleet is rewound to benchapp 0001 by SQL, not timed (drop the column,
delete the migration record: what `migrate benchapp 0001` does), and the psql baseline runs that
migration's own DDL, `ALTER TABLE "<schema>"."benchapp_benchnote" ADD COLUMN "score" integer NULL`, each
statement in its own transaction as the migration has, over the same schemas from the same state. The
per-schema column is (run − start-up row) / (schemas − 1) for `migrate_schemas`, and run / schemas for
psql (a loop starts one psql per schema).

Creating the fleet (set-up, not part of the comparison):

{report.table(["measurement", "median", "min", "max"], creation_rows)}

{report.table(["measurement", "median", "min", "max", "per schema"], rows)}

**Reading.** `migrate_schemas --tenant` migrates the fleet in one process
(`tenants.services.schema_migrations`): the migration graph is loaded once; a schema's applied set is one
query, and a schema that has every migration is done; schemas with the same applied set share one plan
whose project states before and after each operation are computed once; `post_migrate` (content types,
permissions, role grants) is sent only when the plan can change what those derive from the models. So
the ADD COLUMN costs {ms(per_schema("add column standard"))} per schema with the standard executor, against
{ms(per_schema("psql loop"))} for a psql process per schema: **{overhead:.1f}× the psql loop** (goal ≤ 3×;
24× before, at 194 ms per schema), and one psql session {ms(per_schema("psql session"))}. What is left
per schema is the DDL, the migration's transaction and its row in `django_migrations`, and the tenant's
state kept on its row (running, then up to date) for the console. With nothing to apply a schema costs
**{ms(per_schema("no-op standard"))}** (goal ≤ 20 ms; 130 ms before), {noop_share:.0%} of the ADD COLUMN's
time per schema; at that rate 1,000 tenants take {noop_1000:.1f} s including the start-up (goal ≤ 60 s){
        ""
        if tenants < 1000
        else ", and this run measured " + f"{s['no-op standard'].median:.1f} s for its {schemas} schemas"
    }.
The multiprocessing executor with {processes} processes (forked after the graph is loaded, 25 schemas per
task) {_relative(speed_up)} for the ADD COLUMN and {_relative(noop_speed_up)} for the no-op, start-up
excluded, on this {processes}-CPU machine (the load average above shows what else it was running): with
the fixed costs gone, what remains per schema is mostly PostgreSQL's work, which both executors share.
"""


def _relative(speed_up: float) -> str:
    if speed_up >= 1:
        return f"is {speed_up:.2f}× as fast as the standard one"
    return f"takes {1 / speed_up:.2f}× as long as the standard one"
