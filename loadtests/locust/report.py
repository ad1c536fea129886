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


def section(
    arguments: argparse.Namespace,
    machine: str,
    ceiling: Phase,
    mixed: Phase,
    memory_phase: Phase | None,
    memory: list[tuple[int, int]],
) -> str:
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
        "middleware, no database) with the same users, same server, same run. Reports: "
        "`var/loadtest/reports/` (locust's HTML and CSV).",
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
    lines += ["", *_memory_lines(arguments, memory_phase, memory)]
    return "\n".join(lines)


def _memory_lines(arguments: argparse.Namespace, phase: Phase | None, memory: list[tuple[int, int]]) -> list[str]:
    if phase is None:
        return ["Memory: not measured in this run (`--no-memory`)."]
    if len(memory) < 2:
        return ["Memory: too few samples to say (" + "; ".join(phase.failures) + ")."]
    first, last = memory[0], memory[-1]
    half = memory[len(memory) // 2]
    growth = (last[1] - first[1]) / 1024
    late = (last[1] - half[1]) / 1024
    per_thousand = late / max((last[0] - half[0]) / 1000, 0.001)
    lines = [
        f"**Memory of one web process over {arguments.memory_requests:,} mixed requests across "
        f"{arguments.tenants} tenants.** gunicorn as above but with one worker that is never recycled "
        "(`--max-requests 0`; `make run` recycles a worker after about 2,000 requests, which would hide growth), "
        "the same mixed users; the worker's resident memory (VmRSS) sampled every half second and read at "
        "every tenth of the requests:",
        "",
        table(
            ["requests served", "worker RSS"],
            [[f"{count:,}", f"{kib / 1024:,.1f} MiB"] for count, kib in memory],
        ),
        "",
        f"From request {first[0]:,} to {last[0]:,} the worker grew by {growth:,.1f} MiB "
        f"({growth * 1024 / first[1]:+.1%}); over the second half ({half[0]:,} → {last[0]:,}) by {late:,.1f} MiB, "
        f"{per_thousand:,.2f} MiB per 1,000 requests. "
        + (
            "Flat: the second half grows by less than 2 MiB."
            if abs(late) < 2
            else "Not flat: it still grows in the second half, when every tenant has been seen."
        ),
        f"The memory run's own figures (one worker): {phase.total.per_second:,.1f} req/s, "
        f"p95 {_ms(phase.total.p95_ms)}, {phase.total.failures:,} failed of {phase.total.requests:,}."
        if phase.rows
        else "",
    ]
    return lines
