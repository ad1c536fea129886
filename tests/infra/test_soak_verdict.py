"""The soak's verdict (`make soak`, loadtests/locust/soak.py): what makes a 20-minute run fail.

The run itself takes minutes and its own servers, so `make test` checks the judgement on samples:
memory growth beyond the bound, a process that exited, errors in the servers' logs."""

from __future__ import annotations

from pathlib import Path

from loadtests.locust.soak import ProcessSampler, Series, judge, logged_errors

MIB = 1024  # KiB


def sampler_with(*series: Series) -> ProcessSampler:
    sampler = ProcessSampler({}, interval=5)
    sampler.series = {one.pid: one for one in series}
    return sampler


def steady(role: str, pid: int, mib: float, *, until: int = 1200, peak_every: int = 0) -> Series:
    """Samples every 5 s at ``mib``, with a 100 MiB peak every ``peak_every`` samples (a sign-in)."""
    samples = []
    for index, when in enumerate(range(0, until + 1, 5)):
        peak = 100 if peak_every and index % peak_every == 0 else 0
        samples.append((float(when), int((mib + peak) * MIB)))
    return Series(role, pid, samples)


def test_flat_processes_with_transient_peaks_pass() -> None:
    web = steady("web child 1", 11, 180, peak_every=7)
    celery = steady("celery master", 12, 150)

    verdict = judge(sampler_with(web, celery), 1200, 120, 40, stopped_at=1200)

    assert verdict.failures == []
    assert verdict.rows == [("celery master", 12, 150.0, 150.0, 0.0), ("web child 1", 11, 180.0, 180.0, 0.0)]


def test_a_process_that_keeps_growing_beyond_the_bound_fails() -> None:
    leaking = Series("web child 2", 21, [(float(when), (200 + when // 20) * MIB) for when in range(0, 1201, 5)])

    verdict = judge(sampler_with(leaking, steady("web master", 20, 60)), 1200, 120, 40, stopped_at=1200)

    # Lowest after the warm-up's tenth (120–228 s): 206 MiB; lowest of the last tenth (1092–1200 s): 254 MiB.
    assert verdict.failures == ["web child 2 grew by 48.0 MiB (bound 40 MiB)"]
    assert ("web child 2", 21, 206.0, 254.0, 48.0) in verdict.rows


def test_growth_within_the_bound_passes() -> None:
    slow = Series("celery child 1", 31, [(float(when), (200 + when // 60) * MIB) for when in range(0, 1201, 5)])

    verdict = judge(sampler_with(slow), 1200, 120, 40, stopped_at=1200)

    assert verdict.failures == []


def test_a_process_that_exits_during_the_run_fails_and_one_stopped_at_the_end_does_not() -> None:
    crashed = steady("web child 1", 41, 180, until=600)
    crashed.gone_at = 605.0
    stopped = steady("web child 2", 42, 180)
    stopped.gone_at = 1205.0  # the servers are stopped after the last sample

    verdict = judge(sampler_with(crashed, stopped), 1200, 120, 40, stopped_at=1200)

    assert verdict.failures == ["web child 1 (pid 41) exited 605 s into the run"]
    assert [row[0] for row in verdict.rows] == ["web child 2"]


def test_error_lines_of_the_servers_logs_are_found(tmp_path: Path) -> None:
    web = tmp_path / "soak-web.log"
    web.write_text(
        '{"time": "t", "level": "INFO", "logger": "gunicorn.access", "message": "GET /contacts/ 200"}\n'
        '{"time": "t", "level": "ERROR", "logger": "django.request", "message": "Internal Server Error: /x/"}\n'
        "[2026-12-07 09:00:00 +0000] [7] [CRITICAL] WORKER TIMEOUT (pid:9)\n"
    )
    celery = tmp_path / "soak-celery.log"
    celery.write_text(
        "[2026-12-07 09:00:01,000: INFO/MainProcess] Task x succeeded\n"
        "[2026-12-07 09:00:02,000: ERROR/ForkPoolWorker-1] Task y raised unexpected: KeyError('z')\n"
        "Traceback (most recent call last):\n"
        "  the error's text mentions ERROR in passing, as a message may\n"
    )

    found = logged_errors(web, celery, tmp_path / "missing.log")

    assert [line.split(": ", 1)[0] for line in found] == ["soak-web.log"] * 2 + ["soak-celery.log"] * 2
    assert "Internal Server Error" in found[0]
    assert "WORKER TIMEOUT" in found[1]
    assert "KeyError" in found[2]
    assert found[3].endswith("Traceback (most recent call last):")


def test_the_trend_shows_the_lowest_sample_of_each_tenth_after_the_warm_up() -> None:
    # Grows 1 MiB a minute until 600 s, then levels off: the plateau shows in the trend.
    levelling = Series(
        "web child 1", 51, [(float(when), (200 + min(when, 600) // 60) * MIB) for when in range(0, 1201, 5)]
    )

    verdict = judge(sampler_with(levelling), 1200, 120, 40, stopped_at=1200)

    # Tenths of 108 s from 120 s: the lowest of each is at its start (the series only grows).
    assert verdict.trend == {"web child 1": [202.0, 203.0, 205.0, 207.0, 209.0, 210.0, 210.0, 210.0, 210.0, 210.0]}
