"""The ``loadtest`` section of docs/benchmarks.md from one `make loadtest` run."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from loadtests.locust.seed import SIZE
from loadtests.report import table

if TYPE_CHECKING:
    from loadtests.locust.__main__ import Phase

GOAL_RATE = 300.0
GOAL_P95_MS = 150.0


def _ms(value: float) -> str:
    return f"{value:,.0f} ms"


def _rate(value: float) -> str:
    return f"{value:,.1f}"


def throughput_section(arguments: argparse.Namespace, machine: str, ceiling: Phase, mixed: Phase) -> str:
    total = mixed.total if mixed.rows else None
    roof = ceiling.total if ceiling.rows else None
    lines = [
        f"## A mixed load: browsing users, integrators and admins over {arguments.tenants} tenants (locust)",
        "",
        f"_{machine}_",
        "",
        f"`make loadtest` (`python -m loadtests.locust`, locustfile `loadtests/locust/locustfile.py`): "
        f"{arguments.tenants} tenants, each provisioned by the real service and filled by the demo builder at "
        f"a tenth of the demo tenant ({SIZE.companies} companies, {SIZE.contacts} contacts, {SIZE.deals} deals, "
        f"{SIZE.leads} leads, {SIZE.activities} activities, the demo's team, custom fields and workflow rules), "
        "served by gunicorn exactly as `make run` serves it "
        "(`infra/gunicorn.conf.py`: 2 gthread workers × 4 threads, `crm_platform.settings.local`, no Celery "
        f"worker). {arguments.users} locust users in a closed loop (no think time) on the same 2 CPUs as the "
        "server and PostgreSQL, each in a tenant picked at random: sales reps browsing (6 in 10: home, lists, "
        "records they own, Ctrl+K search, pipeline board, calendar and its events), integrators with the "
        "tenant's API key (3 in 10: REST and GraphQL 50-row pages and records, creating and changing contacts "
        "through both) and admins in the settings (1 in 10). The ceiling is `/healthz` (gunicorn and the "
        "middleware, no database) with the same users, same server, same run. The locust client shares the "
        "machine's CPUs with the server and PostgreSQL, and so does whatever else the machine runs (the load "
        "average in the line above): compare a figure with its same-run ceiling, not with another run's. "
        f"Before the measured runs, {arguments.warmup_requests:,} mixed requests warm the workers up "
        "(imports, GraphQL schemas, caches). Reports: `var/loadtest/reports/` (locust's HTML and CSV).",
        "",
    ]
    if total and roof and total.requests and roof.requests:
        rate_ok = total.per_second >= GOAL_RATE
        p95_ok = total.p95_ms <= GOAL_P95_MS
        errors_ok = total.failures == 0
        rows = [
            ["baseline: `/healthz` (the ceiling)", _rate(roof.per_second), _ms(roof.median_ms), _ms(roof.p95_ms),
             f"{roof.requests:,}", f"{roof.failures:,}", "—"],
            ["**mixed**, all requests", _rate(total.per_second), _ms(total.median_ms), _ms(total.p95_ms),
             f"{total.requests:,}", f"{total.failures:,}",
             f"≥ {GOAL_RATE:.0f} req/s: {'yes' if rate_ok else 'no'}; p95 ≤ {GOAL_P95_MS:.0f} ms: "
             f"{'yes' if p95_ok else 'no'}; 0 errors: {'yes' if errors_ok else 'no'}"],
        ]  # fmt: skip
        for row in sorted((row for row in mixed.rows if row.name != "Aggregated"), key=lambda row: -row.p95_ms):
            rows.append(
                [f"… {row.name}", _rate(row.per_second), _ms(row.median_ms), _ms(row.p95_ms), f"{row.requests:,}",
                 f"{row.failures:,}", ""]
            )  # fmt: skip
        lines += [
            table(["request", "req/s", "median", "p95", "requests", "failed", "goal"], rows),
            "",
            f"The mixed load served {total.per_second / roof.per_second:.1%} of the ceiling's requests per "
            f"second ({_rate(total.per_second)} against {_rate(roof.per_second)}) in {mixed.seconds:.0f} s.",
        ]
    else:
        lines.append("The run produced no statistics: " + "; ".join(ceiling.failures + mixed.failures))
    failures = mixed.failures + ceiling.failures
    if failures:
        lines += ["", "Failed requests: " + "; ".join(failures[:10]) + "."]
    return "\n".join(lines)


def memory_section(
    arguments: argparse.Namespace, machine: str, phase: Phase, ceiling: Phase, memory: list[tuple[int, int, int]]
) -> str:
    served = phase.total.requests if phase.rows else 0
    lines = [
        f"## Memory of a web process over {served:,} mixed requests across {arguments.tenants} tenants (locust)",
        "",
        f"_{machine}_",
        "",
        *_memory_lines(arguments, phase, memory),
    ]
    if served < arguments.memory_requests:
        lines += ["", f"The run reached its time bound (`--memory-seconds {arguments.memory_seconds}`) after "
                  f"{served:,} of the {arguments.memory_requests:,} requests it was to serve."]  # fmt: skip
    if phase.rows and ceiling.rows:
        lines += [
            "",
            f"The memory run's own throughput ({arguments.memory_workers} worker(s), {arguments.users} users): "
            f"{_rate(phase.total.per_second)} req/s, median {_ms(phase.total.median_ms)}, "
            f"p95 {_ms(phase.total.p95_ms)}, {phase.total.failures:,} failed of {phase.total.requests:,}; "
            f"`/healthz` on the same server right after it (the same-run ceiling): "
            f"{_rate(ceiling.total.per_second)} req/s, p95 {_ms(ceiling.total.p95_ms)}.",
        ]
    if phase.failures:
        lines += ["", "Failed requests: " + "; ".join(phase.failures[:10]) + "."]
    return "\n".join(lines)


def _memory_lines(arguments: argparse.Namespace, phase: Phase, memory: list[tuple[int, int, int]]) -> list[str]:
    if len(memory) < 2:
        return ["Too few samples to say anything (" + "; ".join(phase.failures) + ")."]
    first, last = memory[0], memory[-1]
    half = memory[len(memory) // 2]
    growth = (last[1] - first[1]) / 1024
    late = (last[1] - half[1]) / 1024
    per_thousand = late / max((last[0] - half[0]) / 1000, 0.001)
    workers = "one worker" if arguments.memory_workers == 1 else f"{arguments.memory_workers} workers (summed)"
    lines = [
        f"gunicorn as `make run` serves it but with {workers} never recycled (`--max-requests 0`; `make run` "
        "recycles a worker after about 2,000 requests, which would hide growth), the same mixed users as the "
        "load test above; the resident memory (VmRSS) sampled every half second. Per tenth of the requests, "
        "the lowest sample (what the process comes back to) and the highest (transient: a sign-in's Argon2 "
        "password hash alone takes 100 MiB for a moment):",
        "",
        table(
            ["requests served", "resident memory, lowest", "highest"],
            [[f"{count:,}", f"{low / 1024:,.1f} MiB", f"{high / 1024:,.1f} MiB"] for count, low, high in memory],
        ),
        "",
        f"Lowest resident memory from request {first[0]:,} to {last[0]:,}: {first[1] / 1024:,.1f} → "
        f"{last[1] / 1024:,.1f} MiB ({growth:+,.1f} MiB, {growth * 1024 / first[1]:+.1%}); over the second half "
        f"({half[0]:,} → {last[0]:,}) {late:+,.1f} MiB, {per_thousand:+,.2f} MiB per 1,000 requests. "
        + (
            "Flat: the second half moves by less than 2 MiB."
            if abs(late) < 2
            else "Not flat: it still grows in the second half."
            if late > 0
            else "It shrinks in the second half."
        ),
    ]
    return lines


def soak_section(
    arguments: argparse.Namespace,
    machine: str,
    phase: Phase,
    memory: list[tuple[str, int, float, float, float]],
    failures: list[str],
    trend: dict[str, list[float]] | None = None,
) -> str:
    """The ``soak`` section: the run's requests, each process's memory and the verdict."""
    trend = trend or {}
    total = phase.total if phase.rows else None
    minutes = phase.seconds / 60  # as run: locust stops a little late, or early when it is stopped
    lines = [
        f"## Soak: {minutes:,.0f} minutes of mixed users at a moderate load over {arguments.tenants} tenants (locust)",
        "",
        f"_{machine}_",
        "",
        f"`make soak` (`python -m loadtests.locust.soak --seconds {arguments.seconds}`): {arguments.users} users "
        f"(sales reps, integrators and admins, 6:3:1), each paced at {arguments.pace} tasks a second, against "
        "gunicorn as `make run` serves it with workers never recycled (`--max-requests 0`) and a Celery worker "
        "with beat. Resident memory (VmRSS) of every process sampled every "
        f"{arguments.sample_seconds:g} s; per process, the lowest sample in the tenth of the run after the "
        f"{arguments.warmup_seconds} s warm-up against the lowest in the last tenth (the lowest: a sign-in's "
        f"password hash takes 100 MiB for a moment). The bound: {arguments.max_growth_mib:,.0f} MiB of growth.",
        "",
    ]
    if phase.seconds < arguments.seconds * 0.95:
        lines += [f"The run was stopped after {phase.seconds:,.0f} of the {arguments.seconds:,} seconds asked.", ""]
    if total is not None:
        lines += [
            f"Requests: {total.requests:,} ({_rate(total.per_second)} req/s), {total.failures:,} failed; "
            f"median {_ms(total.median_ms)}, p95 {_ms(total.p95_ms)}.",
            "",
        ]
    lines += [
        table(
            ["process", "after the warm-up", "at the end", "growth", "lowest of each tenth (MiB)"],
            [
                [
                    role,
                    f"{first:,.1f} MiB",
                    f"{last:,.1f} MiB",
                    f"{growth:+,.1f} MiB",
                    " · ".join(f"{low:,.0f}" for low in trend.get(role, [])),
                ]
                for role, _pid, first, last, growth in memory
            ],
        ),
        "",
        "The last column is each process's lowest sample in each tenth of the run after the warm-up: growth "
        "that levels off shows there as a plateau, a leak as a climb to the end.",
        "",
        "Verdict: "
        + (
            "passed (no failed request, no error logged, memory within the bound)."
            if not failures
            else "failed: " + "; ".join(failures[:10]) + "."
        ),
    ]
    return "\n".join(lines)
