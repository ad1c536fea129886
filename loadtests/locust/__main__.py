"""`make loadtest`: the locust suite against gunicorn as `make run` serves it, over 100 tenants.

Runs inside ``python -m crm_platform.runtime --var var/loadtest exec --`` (its own embedded
PostgreSQL and Redis, so the load-test tenants never mix with `make run`'s) with
``crm_platform.settings.local``, the settings `make run` uses. Steps:

1. migrate as `make run` does, then seed the tenants (``loadtests.locust.seed``: only those missing);
   the manifest the locust users read goes to ``var/loadtest/manifest.json``;
2. start gunicorn exactly as `make run` does (``infra/gunicorn.conf.py``, the same environment; no
   Celery worker: the run measures the web path);
3. the ceiling: locust's ``Healthz`` users alone for ``--healthz-seconds`` (first: its requests
   reach gunicorn's ``max_requests``, and workers it recycles would start the mixed run cold);
4. a warm-up of ``--warmup-requests`` mixed requests, not measured: a fresh worker's first requests
   import views, build GraphQL schemas and fill caches;
5. the mixed run: ``Browser``, ``Integrator`` and ``Admin`` users (6:3:1) for ``--seconds`` or
   ``--max-requests`` requests, whichever comes first;
6. memory: gunicorn again with ``--memory-workers`` workers (one by default) that are never recycled
   (``--max-requests 0``; `make run` recycles a worker after ~2,000 requests, which would hide
   growth), ``--memory-requests`` mixed requests, the workers' resident memory sampled every half
   second;
   then ``/healthz`` on that server for its ceiling;
7. the figures into ``docs/benchmarks.md`` (sections ``loadtest`` and ``loadtest_memory``) and
   ``var/loadtest/summary.md``;
   locust's HTML and CSV reports under ``var/loadtest/reports/``.

    python -m loadtests.locust [--tenants 100] [--users 8] [--seconds 60] [--max-requests 50000]
                               [--healthz-seconds 20] [--warmup-requests 300] [--memory-requests 10000]
                               [--memory-workers 1] [--memory-seconds 3600] [--no-memory | --memory-only]
                               [--no-doc] [--seed-only]

Exit status 1 when a phase had failed requests or could not run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR = BASE_DIR / "var" / "loadtest"
REPORTS = VAR / "reports"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
MIXED = ("Browser", "Integrator", "Admin")


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtests.locust", description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=100, help="tenants the users are spread over")
    parser.add_argument("--users", type=int, default=8, help="concurrent simulated users (closed loop)")
    parser.add_argument("--seconds", type=int, default=60, help="length of the mixed run")
    parser.add_argument("--max-requests", type=int, default=50_000, help="bound of the mixed run in requests")
    parser.add_argument("--healthz-seconds", type=int, default=20, help="length of the /healthz ceiling run")
    parser.add_argument("--memory-requests", type=int, default=10_000, help="mixed requests of the memory run")
    parser.add_argument("--warmup-requests", type=int, default=300, help="unmeasured mixed requests first")
    parser.add_argument("--memory-workers", type=int, default=1, help="gunicorn workers of the memory run")
    parser.add_argument("--memory-seconds", type=int, default=3600, help="time bound of the memory run")
    parser.add_argument("--memory-only", action="store_true", help="only the memory run")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory run")
    parser.add_argument("--no-doc", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument("--seed-only", action="store_true", help="seed the tenants and stop")
    arguments = parser.parse_args(argv)
    if arguments.no_memory and arguments.memory_only:
        parser.error("--no-memory and --memory-only exclude each other")
    for name in (
        "tenants",
        "users",
        "seconds",
        "max_requests",
        "healthz_seconds",
        "memory_requests",
        "memory_workers",
        "memory_seconds",
    ):
        if getattr(arguments, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return arguments


def log(message: str) -> None:
    print(f"[loadtest] {message}", flush=True)


@dataclass
class Row:
    name: str
    requests: int
    failures: int
    median_ms: float
    p95_ms: float
    per_second: float


@dataclass
class Phase:
    label: str
    seconds: float
    rows: list[Row]
    failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> Row:
        return next(row for row in self.rows if row.name == "Aggregated")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], cwd=BASE_DIR, check=True)


def _start_gunicorn(
    port: int, log_file: Path, *extra: str, workers: str | None = None, timeout: float = 90
) -> subprocess.Popen[bytes]:
    import urllib.request

    environment = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port)}
    if workers:
        environment["WEB_WORKERS"] = workers
    output = log_file.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "crm_platform.wsgi", "-c", str(BASE_DIR / "infra/gunicorn.conf.py"), *extra],
        cwd=BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log_file}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _locust(port: int, name: str, classes: Sequence[str], users: int, seconds: int, max_requests: int) -> Phase:
    prefix = REPORTS / name
    command = [
        str(Path(sys.executable).with_name("locust")), "-f", str(LOCUSTFILE), "--headless", "--only-summary",
        "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--stop-timeout", "10",
        "--csv", str(prefix), "--csv-full-history", "--html", f"{prefix}.html",
        "--max-requests", str(max_requests), *classes,
    ]  # fmt: skip
    environment = {
        **os.environ,
        "RELATA_LOADTEST_MANIFEST": str(VAR / "manifest.json"),
        "RELATA_LOADTEST_URL": f"http://127.0.0.1:{port}",
    }
    started = time.perf_counter()
    with (REPORTS / f"{name}.log").open("wb") as output:
        subprocess.run(command, cwd=BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT, check=False)
    elapsed = time.perf_counter() - started
    rows = _read_stats(Path(f"{prefix}_stats.csv"))
    phase = Phase(name, elapsed, rows)
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with failures_file.open(newline="") as source:
            phase.failures = [
                f"{r['Method']} {r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(source)
            ]
    if not rows or not any(row.requests for row in rows):
        phase.failures.append(f"no request was answered; see {REPORTS / name}.log")
    return phase


def _read_stats(path: Path) -> list[Row]:
    if not path.exists():
        return []
    with path.open(newline="") as source:
        return [
            Row(
                name=row["Name"] if row["Name"] != "Aggregated" else "Aggregated",
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                median_ms=float(row["Median Response Time"] or 0),
                p95_ms=float(row["95%"] or 0) if row["95%"] != "N/A" else 0.0,
                per_second=float(row["Requests/s"] or 0),
            )
            for row in csv.DictReader(source)
        ]


class MemorySampler(threading.Thread):
    """The resident memory of gunicorn's worker processes, every half second."""

    def __init__(self, master: int) -> None:
        super().__init__(daemon=True)
        self.master = master
        self.samples: list[tuple[float, int]] = []  # (unix time, KiB summed over the workers)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            total = sum(_rss_kib(pid) for pid in _children(self.master))
            if total:
                self.samples.append((time.time(), total))


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _memory_by_requests(history: Path, samples: list[tuple[float, int]], step: int) -> list[tuple[int, int, int]]:
    """(requests served, lowest KiB, highest KiB) for every ``step`` requests.

    Locust's history (a line a second) says when each bound was passed; the samples in between give
    the lowest resident size (what the process comes back to) and the highest (transient peaks: a
    sign-in's password hash alone takes 100 MiB for a moment).
    """
    if not history.exists() or not samples:
        return []
    with history.open(newline="") as source:
        counts = [
            (float(row["Timestamp"]), int(row["Total Request Count"]))
            for row in csv.DictReader(source)
            if row["Name"] == "Aggregated"
        ]
    points: list[tuple[int, int, int]] = []
    target, since = step, samples[0][0] - 1
    for stamp, count in counts:
        if count < target:
            continue
        window = [kib for when, kib in samples if since < when <= stamp] or [
            min(samples, key=lambda sample: abs(sample[0] - stamp))[1]
        ]
        while count >= target:
            points.append((target, min(window), max(window)))
            target += step
        since = stamp
    return points


def _write(arguments: argparse.Namespace, name: str, body: str) -> None:
    """One section into docs/benchmarks.md as soon as it is measured, and onto the terminal."""
    from loadtests.report import write_section

    if not arguments.no_doc:
        write_section(name, body)
    print(body, flush=True)


def prepare(tenants: int) -> None:
    """Migrate as `make run` does and seed ``tenants`` tenants (only the missing ones); the manifest
    the locust users read goes to ``var/loadtest/manifest.json``. Leaves Django set up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_platform.settings.local")
    REPORTS.mkdir(parents=True, exist_ok=True)
    log("migrating as `make run` does")
    _manage("collectstatic", "--noinput", "--verbosity", "0")
    _manage("migrate_schemas", "--shared", "--noinput", "--verbosity", "0")
    import django

    django.setup()
    from django.db import connection

    from loadtests.locust import seed
    from tenants.services.provisioning import ensure_template_tenant
    from tenants.services.public import ensure_public_tenant

    ensure_public_tenant()
    ensure_template_tenant()
    connection.close()
    _manage("migrate_schemas", "--tenant", "--executor", "multiprocessing", "--noinput", "--verbosity", "0")
    log(f"seeding {tenants} tenants (only the missing ones)")
    manifest = seed.seed(tenants)
    manifest_file = VAR / "manifest.json"
    manifest_file.touch(mode=0o600)
    manifest_file.write_text(json.dumps(manifest))
    connection.close()


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    prepare(arguments.tenants)
    if arguments.seed_only:
        return 0
    from django.db import connection

    from loadtests.locust.report import memory_section, throughput_section
    from loadtests.report import machine
    from loadtests.support import server_version

    version = server_version()
    connection.close()
    port = _free_port()
    server_log = VAR / "gunicorn.log"
    phases: list[Phase] = []
    sections: list[tuple[str, str]] = []
    if not arguments.memory_only:
        log(f"gunicorn as `make run` serves it on port {port} (log: {server_log})")
        server = _start_gunicorn(port, server_log)
        try:
            # The ceiling first: its thousands of requests reach gunicorn's max_requests, and the
            # workers it recycles would start the mixed run cold after the warm-up.
            log(f"ceiling: /healthz, {arguments.users} users, {arguments.healthz_seconds} s")
            ceiling = _locust(port, "healthz", ["Healthz"], arguments.users, arguments.healthz_seconds, 10**9)
            # A fresh worker's first requests import views, build GraphQL schemas and fill caches: not measured.
            log(f"warm-up: {arguments.warmup_requests:,} mixed requests, not measured")
            phases.append(_locust(port, "warmup", MIXED, arguments.users, 600, arguments.warmup_requests))
            log(f"mixed: {arguments.users} users, {arguments.seconds} s or {arguments.max_requests:,} requests")
            mixed = _locust(port, "mixed", MIXED, arguments.users, arguments.seconds, arguments.max_requests)
        finally:
            _stop(server)
        phases += [ceiling, mixed]
        sections.append(("loadtest", throughput_section(arguments, machine(version), ceiling, mixed)))
        _write(arguments, *sections[-1])
    if not arguments.no_memory:
        log(
            f"memory: {arguments.memory_workers} worker(s), never recycled,"
            f" {arguments.memory_requests:,} mixed requests"
        )
        server = _start_gunicorn(port, server_log, "--max-requests", "0", workers=str(arguments.memory_workers))
        sampler = MemorySampler(server.pid)
        sampler.start()
        try:
            memory_phase = _locust(
                port, "memory", MIXED, arguments.users, arguments.memory_seconds, arguments.memory_requests
            )
            sampler.stopped.set()
            log(f"ceiling of the memory run's server: /healthz, {arguments.healthz_seconds} s")
            memory_ceiling = _locust(
                port, "memory_healthz", ["Healthz"], arguments.users, arguments.healthz_seconds, 10**9
            )
        finally:
            sampler.stopped.set()
            sampler.join()
            _stop(server)
        phases += [memory_phase, memory_ceiling]
        step = max(arguments.memory_requests // 10, 1)
        memory = _memory_by_requests(REPORTS / "memory_stats_history.csv", sampler.samples, step)
        sections.append(
            ("loadtest_memory", memory_section(arguments, machine(version), memory_phase, memory_ceiling, memory))
        )
        _write(arguments, *sections[-1])
    (VAR / "summary.md").write_text("\n\n".join(body for _name, body in sections) + "\n")
    failed = [f"{phase.label}: {failure}" for phase in phases for failure in phase.failures]
    for failure in failed:
        log(f"FAILED: {failure}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
