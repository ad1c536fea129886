"""Workflow throughput, end to end: N deals created through the service, each triggering a rule
whose action creates an activity; real Celery workers deliver the outbox, start the runs and run
them. Measured from the first create to the last activity, so it includes the outbox (one
dispatcher task per transaction), the consumer, the runs and the step transactions; then again
from a backlog (the deals created with no worker running, timed from the workers' start), where
the creating process does not compete with the workers for the CPU.

    run(deals=1000, concurrency=2) -> (markdown section, failures)   # make bench BENCH_ARGS="--only workflows"

The bench tenant's rate limit is raised for the run (``WORKFLOW_RUNS_PER_MINUTE`` in the workers'
environment), since the benchmark measures the engine, not the limit.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from customization.workflows.choices import RunStatus
from customization.workflows.models import WorkflowRule, WorkflowRun
from loadtests import report
from loadtests.support import BASE_DIR, BENCH_SLUG_PREFIX, create_tenant, log, server_version, stop_process
from modules.activities.models import Activity
from modules.activities.services.activities import create_activity
from modules.sales.models import Deal
from modules.sales.services.deals import create_deal
from tenants.services.provisioning import delete_tenant_schema

SLUG = f"{BENCH_SLUG_PREFIX}workflows"
SUBJECT = "Bench follow-up {{ record.name }}"
TIMEOUT_SECONDS = 900
WORKER_START_SECONDS = 300


def _start_workers(concurrency: int, log_file: Path) -> tuple[subprocess.Popen[bytes], float]:
    """The worker process and the moment (``perf_counter``) it said it was ready."""
    environment = {**os.environ, "WORKFLOW_RUNS_PER_MINUTE": "1000000", "PYTHONUNBUFFERED": "1"}
    output = log_file.open("wb")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "crm_platform", "worker", "--pool", "prefork",
            "--concurrency", str(concurrency), "--loglevel", "INFO", "--without-mingle", "--without-gossip",
            "-n", f"bench-workflows-{os.getpid()}@%h",
        ],
        cwd=BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT,
    )  # fmt: skip
    # A loaded machine can take minutes to start a worker; the clock starts once it is ready.
    deadline = time.monotonic() + WORKER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited: {log_file.read_text()[-2000:]}")
        if b"ready." in log_file.read_bytes():
            return process, time.perf_counter()
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"celery worker did not start within {WORKER_START_SECONDS} s")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _latencies(prefix: str) -> list[float]:
    """Seconds from each triggering event to its run's end, for the deals named ``prefix…``."""
    names = dict(Deal.objects.filter(name__startswith=prefix).values_list("pk", "name"))
    runs = WorkflowRun.objects.filter(status=RunStatus.SUCCEEDED, record_id__in=names).select_related("event")
    return [
        (run.finished_at - run.event.occurred_at).total_seconds()
        for run in runs
        if run.finished_at is not None and run.event is not None
    ]


def _wait_for_activities(prefix: str, count: int) -> int:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    done = 0
    while time.monotonic() < deadline:
        done = Activity.objects.filter(subject__startswith=f"Bench follow-up {prefix}").count()
        if done >= count:
            break
        time.sleep(0.1)
    return done


def _live(deals: int, concurrency: int, log_file: Path) -> dict[str, Any]:
    """Deals created one transaction each while the workers run: the figure a user sees."""
    prefix = "Live deal"
    workers, _ready = _start_workers(concurrency, log_file)
    try:
        start = time.perf_counter()
        for index in range(deals):
            create_deal(by=None, name=f"{prefix} {index:06d}")
        created = time.perf_counter() - start
        done = _wait_for_activities(prefix, deals)
        total = time.perf_counter() - start
    finally:
        stop_process(workers)
    latencies = _latencies(prefix)
    return {
        "create_seconds": created,
        "total_seconds": total,
        "activities": done,
        "events_per_second": done / total if total else 0.0,
        "latency_median": statistics.median(latencies) if latencies else 0.0,
        "latency_p95": _percentile(latencies, 0.95) if latencies else 0.0,
    }


def _backlog(deals: int, concurrency: int, log_file: Path) -> dict[str, Any]:
    """Deals created (one transaction each) while no worker runs, then the workers started: how
    fast two workers turn waiting events into actions when the producer is not the limit."""
    prefix = "Backlog deal"
    for index in range(deals):
        create_deal(by=None, name=f"{prefix} {index:06d}")
    workers, ready = _start_workers(concurrency, log_file)
    try:
        done = _wait_for_activities(prefix, deals)
        total = time.perf_counter() - ready
    finally:
        stop_process(workers)
    return {"total_seconds": total, "activities": done, "events_per_second": done / total if total else 0.0}


def measure(deals: int, concurrency: int, log_file: Path) -> dict[str, Any]:
    """Create ``deals`` deals in the current tenant with workers running, then ``deals`` more with
    the workers stopped and started after; the figures."""
    WorkflowRule.objects.create(
        name="Bench follow-up", entity="deal", trigger="record_created", is_active=True,
        actions=[{"type": "create_activity", "kind": "task", "subject": SUBJECT, "due_in": {"days": 1}}],
    )  # fmt: skip
    live = _live(deals, concurrency, log_file)
    backlog = _backlog(deals, concurrency, log_file.with_suffix(".backlog.log"))
    # Baseline, same run: the action's own work (one create_activity per deal, in process), without
    # the outbox delivery, the consumer, the run bookkeeping or Celery.
    due = timezone.now() + timedelta(days=1)
    baseline_deals = list(Deal.objects.order_by("pk")[:deals])
    start = time.perf_counter()
    for deal in baseline_deals:
        create_activity(by=None, kind="task", subject=f"Baseline follow-up {deal.name}", deal=deal, due_at=due)
    baseline = time.perf_counter() - start
    return {
        "baseline_seconds": baseline,
        "baseline_per_second": len(baseline_deals) / baseline if baseline else 0.0,
        "deals": deals,
        "concurrency": concurrency,
        "live": live,
        "backlog": backlog,
        "activities": live["activities"] + backlog["activities"],
        "failed_runs": WorkflowRun.objects.exclude(status=RunStatus.SUCCEEDED).count(),
        "load": os.getloadavg(),
    }


def _section(facts: dict[str, Any]) -> str:
    live, backlog = facts["live"], facts["backlog"]
    rows = [
        ["deals created per phase (one transaction each)", f"{facts['deals']:,}"],
        ["worker processes", str(facts["concurrency"])],
        ["live: creating the deals while the workers run", report.seconds(live["create_seconds"])],
        ["live: first create → last activity", report.seconds(live["total_seconds"])],
        ["**live: throughput, end to end**", f"**{live['events_per_second']:,.1f} events/s**"],
        ["live: event → run finished, median", report.milliseconds(live["latency_median"])],
        ["live: event → run finished, p95", report.milliseconds(live["latency_p95"])],
        ["backlog: workers ready → last activity", report.seconds(backlog["total_seconds"])],
        ["**backlog: throughput of the workers, end to end**", f"**{backlog['events_per_second']:,.1f} events/s**"],
        [
            "baseline: the same activities created in process (no outbox, no Celery)",
            f"{facts['baseline_per_second']:,.1f} /s ({report.seconds(facts['baseline_seconds'])})",
        ],
        ["runs not succeeded", str(facts["failed_runs"])],
        ["load average before the baseline (1/5/15 min)", " / ".join(f"{value:.1f}" for value in facts["load"])],
    ]
    return "\n".join(
        [
            "## Workflows: events to actions",
            "",
            report.machine(server_version()),
            "",
            "Each deal is created through `create_deal`, which writes `deal.created` to the outbox; "
            "the dispatcher task hands it to the workflow consumer, which starts a run of a "
            "`record_created` rule whose one action (`create_activity`) plans a follow-up, and runs "
            "it in the same task. Measured until every activity exists: live, with the deals "
            "created while the workers run (the creating process shares the two cores with them), "
            "and from a backlog, with the deals' events waiting when the workers start.",
            "",
            report.table(["measure", "value"], rows),
        ]
    )


def run(deals: int = 1000, concurrency: int = 2) -> tuple[str, list[str]]:
    log(f"workflows: creating {SLUG}; {deals:,} deals through a rule with {concurrency} worker processes")
    tenant = create_tenant(SLUG, "clone")
    failures: list[str] = []
    log_file = BASE_DIR / "var" / "bench-workflows-worker.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tenant_context(tenant):
            facts = measure(deals, concurrency, log_file)
        if facts["activities"] < 2 * deals:
            failures.append(f"workflows: {facts['activities']} of {2 * deals} activities within {TIMEOUT_SECONDS} s")
        if facts["failed_runs"]:
            failures.append(f"workflows: {facts['failed_runs']} runs did not succeed (see {log_file})")
        log(
            f"workflows: {facts['live']['events_per_second']:,.1f} events/s live, "
            f"{facts['backlog']['events_per_second']:,.1f} events/s from a backlog"
        )
    finally:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        delete_tenant_schema(tenant)
    return _section(facts), failures
