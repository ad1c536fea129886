"""`make soak`: the load test's users at a moderate, paced load for a bounded time, with the resident
memory of every server process sampled. Fails on any failed request, any error logged by the
servers, a server process that exits, or a process whose memory grows beyond the bound.

Runs inside ``python -m crm_platform.runtime --var var/loadtest exec --`` (the load test's embedded
servers and seeded tenants) with ``crm_platform.settings.local``. Steps:

1. migrate and seed as `make loadtest` does (``--tenants``, ten by default; only the missing ones),
   or with ``--reuse`` take the tenants and manifest an earlier run left;
2. start gunicorn with ``infra/gunicorn.conf.py`` as `make run` does, but with workers never recycled
   (``--max-requests 0``: recycling would hide growth), and a Celery worker with beat as `make run`
   starts it, so the writes' outbox events, webhooks and periodic sweeps run as they do in service;
3. every tenant visited through the API a few times (each web worker imports the application and
   builds the tenants' GraphQL schemas before anything is measured), then
   locust's ``Browser``, ``Integrator`` and ``Admin`` users (6:3:1), each paced at ``--pace`` tasks a
   second (``RELATA_LOADTEST_PACE``: a moderate load, not the load test's closed loop), for ``--seconds``;
4. every ``--sample-seconds`` the resident memory (VmRSS) of each server process: gunicorn's master and
   workers, the Celery worker and its children (pool and beat);
5. the verdict. For each process, the lowest sample of the run's last tenth against the lowest of
   the tenth that follows the warm-up (``--warmup-seconds``, not judged: a fresh process imports
   views, builds GraphQL schemas and fills its caches). The lowest, because a sign-in's password
   hash takes 100 MiB for a moment; what a process comes back to is what leaks show in. Growth
   above ``--max-growth-mib`` fails.

The figures go to ``docs/benchmarks.md`` (section ``soak``) unless ``--no-doc``; locust's reports and
the servers' logs to ``var/loadtest/reports/soak*`` and ``var/loadtest/soak-*.log``.

    python -m loadtests.locust.soak [--seconds 1200] [--tenants 10] [--users 8] [--pace 0.25]
                                    [--warmup-seconds 120] [--sample-seconds 5] [--max-growth-mib 40]
                                    [--no-doc] [--reuse]

Exit status 1 when the soak failed (the reasons are printed last).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from loadtests.locust.__main__ import (
    BASE_DIR,
    MIXED,
    VAR,
    Phase,
    _children,
    _free_port,
    _locust,
    _rss_kib,
    _start_gunicorn,
    _stop,
    log,
    prepare,
)

# What the servers log when something went wrong: JSON lines at ERROR or CRITICAL, gunicorn's own
# "[CRITICAL] WORKER TIMEOUT" lines, Celery's "[ERROR/...]" lines and any traceback.
ERROR_LINE = re.compile(r'"level": "(ERROR|CRITICAL)"|\[(ERROR|CRITICAL)\]|: (ERROR|CRITICAL)/|^Traceback')


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtests.locust.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=1200, help="length of the soak")
    parser.add_argument("--tenants", type=int, default=10, help="tenants the users are spread over")
    parser.add_argument("--users", type=int, default=8, help="concurrent simulated users")
    parser.add_argument("--pace", type=float, default=0.25, help="tasks per second of each user")
    parser.add_argument("--warmup-seconds", type=int, default=120, help="start of the run not judged")
    parser.add_argument("--sample-seconds", type=float, default=5.0, help="time between memory samples")
    parser.add_argument("--max-growth-mib", type=float, default=40.0, help="memory growth a process may show")
    parser.add_argument("--no-doc", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument(
        "--reuse", action="store_true", help="the tenants and manifest of an earlier run as they are (no migrations)"
    )
    arguments = parser.parse_args(argv)
    if arguments.seconds < 10 or arguments.warmup_seconds < 0 or arguments.warmup_seconds * 10 >= arguments.seconds * 9:
        parser.error("--seconds must be at least 10 and the warm-up under nine tenths of it")
    if arguments.tenants < 1 or arguments.users < 1 or arguments.pace <= 0 or arguments.sample_seconds <= 0:
        parser.error("--tenants and --users must be at least 1, --pace and --sample-seconds above 0")
    return arguments


@dataclass
class Series:
    """One process's resident memory over the run."""

    role: str
    pid: int
    samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds since the start, KiB)
    gone_at: float | None = None  # seconds since the start when it was first missing

    def lowest(self, start: float, end: float) -> int | None:
        window = [kib for when, kib in self.samples if start <= when <= end]
        return min(window) if window else None


class ProcessSampler(threading.Thread):
    """The resident memory of the web and Celery processes, every ``interval`` seconds."""

    def __init__(self, roots: dict[str, int], interval: float) -> None:
        super().__init__(daemon=True)
        self.roots = roots  # role → pid of a process started by the soak
        self.interval = interval
        self.series: dict[int, Series] = {}
        self.started = time.monotonic()
        self.stopped = threading.Event()

    def run(self) -> None:
        while True:
            self.sample()
            if self.stopped.wait(self.interval):
                return

    def sample(self) -> None:
        now = time.monotonic() - self.started
        seen: set[int] = set()
        for role, root in self.roots.items():
            for index, pid in enumerate([root, *_children(root)]):
                kib = _rss_kib(pid)
                if not kib:
                    continue
                seen.add(pid)
                name = f"{role} master" if index == 0 else f"{role} child {index}"
                self.series.setdefault(pid, Series(name, pid)).samples.append((now, kib))
        for pid, series in self.series.items():
            if pid not in seen and series.gone_at is None:
                series.gone_at = now


@dataclass
class Verdict:
    rows: list[tuple[str, int, float, float, float]]  # role, pid, after warm-up, at the end, growth (MiB)
    failures: list[str]
    # role → the lowest sample (MiB) of each tenth after the warm-up: whether growth levels off shows
    # in the shape, which the two ends alone do not tell.
    trend: dict[str, list[float]] = field(default_factory=dict)


def judge(sampler: ProcessSampler, seconds: float, warmup: float, bound_mib: float, stopped_at: float) -> Verdict:
    """Each process's lowest resident memory in the tenth after the warm-up against the last tenth."""
    tenth = (seconds - warmup) / 10
    rows: list[tuple[str, int, float, float, float]] = []
    failures: list[str] = []
    trend: dict[str, list[float]] = {}
    for series in sampler.series.values():
        if series.gone_at is not None and series.gone_at < stopped_at:
            failures.append(f"{series.role} (pid {series.pid}) exited {series.gone_at:.0f} s into the run")
            continue
        first = series.lowest(warmup, warmup + tenth)
        last = series.lowest(seconds - tenth, stopped_at)
        if first is None or last is None:
            failures.append(f"{series.role} (pid {series.pid}) was not sampled throughout the run")
            continue
        growth = (last - first) / 1024
        rows.append((series.role, series.pid, first / 1024, last / 1024, growth))
        lows = (series.lowest(warmup + index * tenth, warmup + (index + 1) * tenth) for index in range(10))
        trend[series.role] = [low / 1024 for low in lows if low is not None]
        if growth > bound_mib:
            failures.append(f"{series.role} grew by {growth:,.1f} MiB (bound {bound_mib:,.0f} MiB)")
    return Verdict(sorted(rows), failures, trend)


def _start_celery(log_file: Path) -> subprocess.Popen[bytes]:
    """A Celery worker with beat, as `make run` starts it."""
    output = log_file.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "crm_platform", "worker", "--beat", "--loglevel", "INFO",
         "--concurrency", "2", "--schedule", str(VAR / "celerybeat-schedule")],
        cwd=BASE_DIR, stdout=output, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 600
    while b"ready." not in log_file.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"the Celery worker did not start; see {log_file}")
        time.sleep(0.3)
    return process


def warm_every_tenant(port: int, rounds: int = 8) -> None:
    """Each tenant's GraphQL schema and API key in every web worker's caches before the run: users
    reach the tenants at random, and a tenant first reached late would show as growth."""
    import json
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    tenants = json.loads((VAR / "manifest.json").read_text())["tenants"]

    def visit(tenant: dict[str, str]) -> None:
        headers = {"Host": tenant["host"], "Authorization": f"Bearer {tenant['api_key']}"}
        for path, body in (
            ("/graphql/", {"query": "{ contacts(first: 5) { edges { node { id } } } }"}),
            ("/api/v1/contacts/?page_size=5", None),
        ):
            data = json.dumps(body).encode() if body else None
            sent = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", data=data, headers={**headers, "Content-Type": "application/json"}
            )
            # A cold worker's first requests import the views and build schemas: minutes on a busy machine.
            with urllib.request.urlopen(sent, timeout=600) as answer:  # noqa: S310
                answer.read()

    # Concurrent requests, so they spread over gunicorn's workers.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(visit, [tenant for tenant in tenants for _round in range(rounds)]))


def logged_errors(*logs: Path) -> list[str]:
    found: list[str] = []
    for path in logs:
        text = path.read_text(errors="replace") if path.exists() else ""
        found += [f"{path.name}: {line[:300]}" for line in text.splitlines() if ERROR_LINE.search(line)]
    return found


def run(arguments: argparse.Namespace) -> tuple[Phase, Verdict, list[str]]:
    from django.db import connection

    connection.close()
    web_log, celery_log = VAR / "soak-web.log", VAR / "soak-celery.log"
    for path in (web_log, celery_log):
        path.write_bytes(b"")
    os.environ["RELATA_LOADTEST_PACE"] = str(arguments.pace)  # read by the locustfile
    port = _free_port()
    log(f"gunicorn (workers never recycled) on port {port} and a Celery worker with beat")
    # A shared machine may take minutes to import the application in every worker.
    web = _start_gunicorn(port, web_log, "--max-requests", "0", timeout=600)
    celery = None
    try:
        celery = _start_celery(celery_log)
        log("warming every tenant's caches in the web workers")
        warm_every_tenant(port)
        sampler = ProcessSampler({"web": web.pid, "celery": celery.pid}, arguments.sample_seconds)
        sampler.start()
        log(f"soak: {arguments.users} users at {arguments.pace} tasks/s each for {arguments.seconds} s")
        phase = _locust(port, "soak", MIXED, arguments.users, arguments.seconds, 10**9)
        sampler.sample()  # the very end, however the last interval fell
        stopped_at = time.monotonic() - sampler.started
        sampler.stopped.set()
        sampler.join()
    finally:
        _stop(web)
        if celery is not None:
            _stop(celery)
    # The run's own length, not --seconds: locust may stop a little early or late.
    length = min(stopped_at, float(arguments.seconds))
    verdict = judge(sampler, length, float(arguments.warmup_seconds), arguments.max_growth_mib, stopped_at)
    return phase, verdict, logged_errors(web_log, celery_log)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    if arguments.reuse and (VAR / "manifest.json").exists():
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_platform.settings.local")
        django.setup()
    else:
        prepare(arguments.tenants)
    from loadtests.locust.report import soak_section
    from loadtests.report import machine, write_section
    from loadtests.support import server_version

    version = server_version()
    phase, verdict, errors = run(arguments)
    failures = [*phase.failures, *verdict.failures, *(f"logged: {line}" for line in errors[:20])]
    body = soak_section(arguments, machine(version), phase, verdict.rows, failures, verdict.trend)
    if not arguments.no_doc:
        write_section("soak", body)
    print(body, flush=True)
    for failure in failures:
        log(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
