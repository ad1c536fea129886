"""What the benchmarks share: progress output, manage.py and psql runners, bench tenants.

Bench tenants are real tenants (rows, schemas, domains) whose slugs start with ``bench-``; every
run drops any left by an earlier, interrupted run before it starts, and its own when it ends, so
two runs of `make bench` start from the same state.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import connection
from django.test import override_settings

from tenants.choices import ProvisioningState
from tenants.models import Tenant
from tenants.services.provisioning import (
    TenantRequest,
    delete_tenant_schema,
    drop_schema,
    ensure_template_tenant,
    provision_tenant,
    request_tenant,
)
from tenants.services.public import ensure_public_tenant

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_SLUG_PREFIX = "bench-"
# Scratch schemas that are not tenants (the provisioning baseline's replays) start with this.
SCRATCH_SCHEMA_PREFIX = "bench_replay_"
# ADD_COLUMN is the DDL that loadtests.benchapp's migration 0002 runs.
ADD_COLUMN = 'ALTER TABLE "{schema}"."benchapp_benchnote" ADD COLUMN "score" integer NULL;'
DROP_COLUMN = 'ALTER TABLE IF EXISTS "{schema}"."benchapp_benchnote" DROP COLUMN IF EXISTS "score";'
# What `migrate benchapp 0001` does to a schema at 0002: drop the column, forget the migration.
UNAPPLY_0002 = (
    DROP_COLUMN + " DELETE FROM \"{schema}\".django_migrations WHERE app = 'benchapp' AND name = '0002_add_column';"
)


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Yields a list that holds the elapsed seconds once the block ends."""
    elapsed: list[float] = []
    start = time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed.append(time.perf_counter() - start)


def manage(*args: str, quiet: bool = False) -> float:
    """Run ``manage.py`` in a fresh process, as an operator or a deploy would; return its wall time.

    ``quiet`` discards its standard output (a fleet's worth of progress lines), not its errors.
    """
    connection.close()  # our idle connection must not hold anything the child waits for
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    return time.perf_counter() - start


@dataclass(frozen=True)
class Psql:
    """The psql that pgserver ships, pointed at the database in DATABASE_URL."""

    binary: Path
    connection_args: tuple[str, ...]
    environment: dict[str, str]

    @classmethod
    def from_environment(cls) -> Psql:
        import pgserver._commands

        url = urlsplit(os.environ["DATABASE_URL"])
        # The host is a percent-encoded unix-socket directory (libpq's convention); psql wants it plain.
        # urlsplit().hostname would lower-case it, so split the netloc by hand.
        credentials, _, address = url.netloc.rpartition("@")
        user, _, password = credentials.partition(":")
        host, port = address, ""
        if not address.startswith("%2F") and ":" in address:
            host, _, port = address.rpartition(":")
        arguments = ["-h", unquote(host), "-U", unquote(user or "postgres"), "-d", url.path.lstrip("/")]
        if port:
            arguments += ["-p", port]
        environment = dict(os.environ)
        if password:
            environment["PGPASSWORD"] = unquote(password)
        return cls(pgserver._commands.POSTGRES_BIN_PATH / "psql", tuple(arguments), environment)

    @property
    def argv(self) -> list[str]:
        return [str(self.binary), "-X", "-q", "-v", "ON_ERROR_STOP=1", *self.connection_args]

    def command(self, sql: str) -> list[str]:
        """A psql process that runs ``sql`` and exits."""
        return [*self.argv, "-c", sql]

    def run(self, sql: str) -> None:
        """Run ``sql`` (any number of statements) in one psql session."""
        subprocess.run(
            [*self.argv, "-f", "-"], input=sql, text=True, env=self.environment, check=True, stdout=subprocess.DEVNULL
        )

    def tool(self, name: str) -> list[str]:
        """Another binary of the same PostgreSQL installation (pg_dump, say), with the same connection."""
        return [str(self.binary.with_name(name)), *self.connection_args]


def server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def tenant_migration_count(schema_name: str) -> int:
    """How many migrations a fully migrated tenant schema has applied."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{schema_name}".django_migrations')
        return int(cursor.fetchone()[0])


def fleet_schemas() -> list[str]:
    """The schemas ``migrate_schemas --tenant`` migrates (tenants.management.commands.migrate_schemas)."""
    return list(
        Tenant.objects.exclude(schema_name="public")
        .exclude(provisioning_state=ProvisioningState.REQUESTED)
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )


def create_tenant(slug: str, method: str) -> Tenant:
    """Request and provision one bench tenant with the real service, by ``method``: "migrate",
    "clone" (with no spare schemas) or "spare" (a clone that takes a spare schema when the pool has one)."""
    spares = 1 if method == "spare" else 0
    schema_method = "clone" if method == "spare" else method
    with override_settings(TENANT_PROVISIONING_METHOD=schema_method, TENANT_SPARE_SCHEMAS=spares):
        tenant = request_tenant(TenantRequest(name=f"Bench {slug}", slug=slug, admin_email=f"admin@{slug}.test"))
        return provision_tenant(tenant.pk)


def drop_bench_tenants() -> int:
    """Drop every bench tenant (schema, domains, row); returns how many there were."""
    tenants = list(Tenant.objects.filter(slug__startswith=BENCH_SLUG_PREFIX))
    for tenant in tenants:
        delete_tenant_schema(tenant)
    return len(tenants)


def prepare(psql: Psql) -> None:
    """Public schema, public and template tenants, all migrated; no bench tenants left over."""
    log("migrating the public schema")
    manage("migrate_schemas", "--shared", "--noinput", "--verbosity", "0")
    ensure_public_tenant()
    left = drop_bench_tenants()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)", [SCRATCH_SCHEMA_PREFIX])
        scratch = [name for (name,) in cursor.fetchall()]
    for name in scratch:
        drop_schema(name)
    if left or scratch:
        log(f"dropped {left} bench tenants and {len(scratch)} scratch schemas left by an interrupted run")
    ensure_template_tenant()
    restore_template(psql)


def restore_template(psql: Psql) -> None:
    """Bring the template tenant to the latest migrations, whatever state the fleet benchmark left it in.

    The fleet benchmark rewinds benchapp to 0001 by SQL and its psql baseline adds the column by hand;
    an interrupted run can leave the column without its migration record, so drop it before migrating.
    """
    schema = settings.TENANT_TEMPLATE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT NOT EXISTS (SELECT 1 FROM "{schema}".django_migrations'
            " WHERE app = 'benchapp' AND name = '0002_add_column')"
        )
        if cursor.fetchone()[0]:
            psql.run(DROP_COLUMN.format(schema=schema))
    log(f"migrating the template schema {schema}")
    manage("migrate_schemas", "--schema", schema, "--noinput", "--verbosity", "0")


def bench_slugs(kind: str, count: int) -> Sequence[str]:
    return [f"{BENCH_SLUG_PREFIX}{kind}-{index:04d}" for index in range(1, count + 1)]


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate a server or worker the benchmark started; kill it if it does not stop in 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
