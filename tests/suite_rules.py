"""Rules every run of the suite follows, whoever starts it and wherever.

- A skipped, xfailed or xpassed test fails the run, named in the summary: every test here is meant
  to run and pass, and a skip hides a feature nobody checks any more.
- A test that uses the session's Celery worker waits for the worker to be idle after its body
  (before its fixtures clean up) and after its teardown (before the next test starts), so work it
  queued never races its own clean-up or the next test.
- The header shows what a run depends on (hash seed, Hypothesis profile), to compare two runs.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest
from hypothesis import settings as hypothesis_settings

from tests.processes import RUNNING_WORKERS, SESSION_WORKER, wait_for_idle_worker


class NotRun:
    """Collects the tests that did not run to a pass or a failure."""

    def __init__(self) -> None:
        self.tests: list[str] = []

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.skipped:
            self.tests.append(f"{report.nodeid} (skipped while collecting)")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if hasattr(report, "wasxfail"):
            self.tests.append(f"{report.nodeid} ({'xpassed' if report.passed else 'xfailed'})")
        elif report.skipped:
            self.tests.append(f"{report.nodeid} (skipped)")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.tests and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.tests:
            terminalreporter.section("tests that did not run (the run fails: none may be skipped)", red=True)
            for test in self.tests:
                terminalreporter.line(test, red=True)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(NotRun(), "relata-not-run")


def pytest_report_header(config: pytest.Config) -> list[str]:
    profile = hypothesis_settings.default
    return [
        f"PYTHONHASHSEED={os.environ.get('PYTHONHASHSEED', 'random')}",
        f"hypothesis: derandomize={profile.derandomize} database={profile.database}",
    ]


def _uses_session_worker(item: pytest.Item) -> bool:
    return "celery_worker" in getattr(item, "fixturenames", ()) and SESSION_WORKER in RUNNING_WORKERS


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    try:
        return (yield)
    finally:
        if _uses_session_worker(item):
            wait_for_idle_worker()  # before the test's fixtures clean up what its tasks work on


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    try:
        return (yield)
    finally:
        if _uses_session_worker(item):
            wait_for_idle_worker()  # the clean-up queued tasks too (e.g. dropping an index)
