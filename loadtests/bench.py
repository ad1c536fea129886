"""`make bench`: provisioning and fleet-migration benchmarks, written to docs/benchmarks.md.

Runs inside ``python -m crm_platform.runtime --var var/bench exec --`` (embedded PostgreSQL and
Redis, DATABASE_URL / REDIS_URL set) with ``crm_platform.settings.bench``. Every benchmark runs
against that one server in the same run as its baseline, and leaves no bench tenant behind, so a
second run starts where the first did.

    python -m loadtests.bench [--tenants 200] [--provision-samples 5] [--fleet-samples 2]
                              [--only provisioning|migrations]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

BENCHMARKS = ("provisioning", "migrations")


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtests.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=200, help="tenants in the fleet-migration benchmark")
    parser.add_argument(
        "--provision-samples", type=int, default=5, help="tenants provisioned per method (after one warm-up)"
    )
    parser.add_argument(
        "--fleet-samples", type=int, default=2, help="runs of each fleet measurement (each migrates the whole fleet)"
    )
    parser.add_argument("--only", choices=BENCHMARKS, help="run one benchmark; the other's section is kept")
    arguments = parser.parse_args(argv)
    for name in ("tenants", "provision_samples", "fleet_samples"):
        if getattr(arguments, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_platform.settings.bench")
    import django

    django.setup()

    from loadtests import bench_migrations, bench_provisioning, report
    from loadtests.support import Psql, log, prepare

    started = time.perf_counter()
    psql = Psql.from_environment()
    prepare(psql)
    selected = [arguments.only] if arguments.only else list(BENCHMARKS)
    if "provisioning" in selected:
        log(f"provisioning: {arguments.provision_samples} samples per method")
        report.write_section("provisioning", bench_provisioning.run(psql, arguments.provision_samples))
    if "migrations" in selected:
        log(f"fleet migrations: {arguments.tenants} tenants, {arguments.fleet_samples} sample(s)")
        report.write_section("migrations", bench_migrations.run(psql, arguments.tenants, arguments.fleet_samples))
    log(f"done in {time.perf_counter() - started:.0f} s; figures in {report.BENCHMARKS_DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
