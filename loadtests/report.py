"""Figures into docs/benchmarks.md: summaries, markdown tables, machine facts, marker sections.

Each benchmark owns the text between ``<!-- bench:<name>:start -->`` and ``<!-- bench:<name>:end -->``
and rewrites only that, so benchmarks added later (and prose outside the markers) survive a run.
"""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import django

BENCHMARKS_DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"

INTRO = """\
# Benchmarks

Figures written by `make bench` (`python -m loadtests.bench`, settings `crm_platform.settings.bench`)
against the embedded PostgreSQL 16 (pgserver, unix socket) under `var/bench`. Benchmarks measure; they
never assert timings. Each section compares the platform's own code path with a baseline measured in
the same run (plain `psql`, raw SQL), and is rewritten between its `bench:<name>` markers by the
harness, so sections from other benchmarks and the text outside the markers are kept.

Run one section with `make bench BENCH_ARGS="--only provisioning"` (or `--only migrations`, `--only records`).
"""


@dataclass(frozen=True)
class Summary:
    """Median, min and max of one measurement's samples, in seconds."""

    median: float
    minimum: float
    maximum: float
    count: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Summary:
        return cls(statistics.median(samples), min(samples), max(samples), len(samples))


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:,.1f} ms"


def seconds(value: float) -> str:
    return f"{value:,.2f} s"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown table; the first column is left-aligned, the figures right-aligned."""
    align = [":--"] + ["--:"] * (len(headers) - 1)
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def summary_row(label: str, summary: Summary, unit: str = "ms") -> list[str]:
    """``label | median | min | max`` in ``unit`` ("ms" or "s")."""
    show = milliseconds if unit == "ms" else seconds
    return [label, show(summary.median), show(summary.minimum), show(summary.maximum)]


def machine(server_version: str) -> str:
    """One line naming where the figures come from, so runs on other machines are not compared blindly."""
    cpus = len(os.sched_getaffinity(0))
    model = _cpu_model()
    ram = _memory_gib()
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · nproc {cpus}"
        + (f" ({model})" if model else "")
        + f" · RAM {ram:.1f} GiB · PostgreSQL {server_version} (embedded, unix socket)"
        + f" · Python {platform.python_version()} · Django {django.get_version()}"
        + f" · django-tenants {version('django-tenants')}"
        + " · load average at the end {:.1f} / {:.1f} / {:.1f} (1/5/15 min)".format(*os.getloadavg())
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3


def write_section(name: str, body: str, path: Path = BENCHMARKS_DOC) -> None:
    """Replace the text between ``name``'s markers (appending the section if it is new)."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    text = path.read_text() if path.exists() else INTRO
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        before, _, rest = text.partition(start)
        _, _, after = rest.partition(end)
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
