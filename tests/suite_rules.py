"""Rules every run of the suite follows, whoever starts it and wherever.

- A skipped, xfailed or xpassed test fails the run, named in the summary: every test here is meant
  to run and pass, and a skip hides a feature nobody checks any more.
- The session's Celery worker takes tasks only during the tests that use it, and each of them
  waits for it to be idle after its body (before its fixtures clean up) and after its teardown
  (see ``tests/processes.py``), so work a test queued never races a clean-up or another test.
- The header shows what a run depends on (hash seed, Hypothesis profile), to compare two runs.
- A generated test may lower the profile's ``max_examples``, never raise it: the profile sets what a
  run costs, and one test drawing more would lengthen every run. A test that does stops the run
  before it starts, named.
- A test that commits (outside a rolled-back test transaction) leaves no domain events, audit
  entries, notifications or timeline entries in the shared tenants after its teardown
  (``tests/committed_rows.py``): a later file in the same process would count them. Nor does it
  run inside the rolled-back block of data a file shares among its tests (``tests/shared_data.py``):
  every open one is ended before it.
- ``--clock=2026-12-31T23:59:00+00:00`` starts this process's clock at that instant (ticking), to
  find tests that pass only on some days: a year, month or DST boundary. Servers, workers and
  PostgreSQL keep the real time, so use it on tests that run in-process.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from datetime import datetime

import pytest
import time_machine
from hypothesis import settings as hypothesis_settings

from tests import committed_rows, shared_data
from tests.processes import RUNNING_WORKERS, SESSION_WORKER, set_worker_aside, take_tasks, wait_for_idle_worker


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


CLOCK = pytest.StashKey[time_machine.travel]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock", metavar="ISO_INSTANT", help="start this process's clock at this instant (with a time zone)"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(NotRun(), "relata-not-run")
    if instant := config.getoption("clock"):
        moment = datetime.fromisoformat(instant)
        if moment.tzinfo is None:
            raise pytest.UsageError("--clock needs an instant with a time zone, e.g. 2026-12-31T23:59:00+00:00")
        config.stash[CLOCK] = time_machine.travel(moment, tick=True)
        config.stash[CLOCK].start()


def pytest_unconfigure(config: pytest.Config) -> None:
    if CLOCK in config.stash:
        config.stash[CLOCK].stop()


def raised_example_budgets(items: list[pytest.Item], ceiling: int) -> list[str]:
    """The ids of the generated tests among ``items`` whose settings draw more than ``ceiling`` examples."""
    raised = []
    for item in items:
        # Hypothesis keeps a test's own settings on the function @given returns (a private name of
        # the pinned version, also read by its own pytest plugin).
        own = getattr(getattr(item, "obj", None), "_hypothesis_internal_use_settings", None)
        if own is not None and own.max_examples > ceiling:
            raised.append(f"{item.nodeid} (max_examples={own.max_examples})")
    return raised


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    ceiling = hypothesis_settings.get_profile("relata").max_examples
    if raised := raised_example_budgets(items, ceiling):
        raise pytest.UsageError(
            f"these tests raise max_examples above the profile's {ceiling} (lower it or split the test): "
            + ", ".join(raised)
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    profile = hypothesis_settings.default
    return [
        f"clock: {config.getoption('clock') or 'real time'}",
        f"PYTHONHASHSEED={os.environ.get('PYTHONHASHSEED', 'random')}",
        f"hypothesis: derandomize={profile.derandomize} database={profile.database}",
    ]


@pytest.fixture(autouse=True)
def _committed_log_rows_removed(request: pytest.FixtureRequest) -> Iterator[None]:
    """Before a test that commits sets anything up, the log tables' watermarks; after the test's
    own fixtures are torn down (an autouse fixture is set up first, so torn down last), what it
    wrote above them is removed. Not later: after the session's last test, the test database is
    gone and the connection points at the development one."""
    if not committed_rows.commits(request.node):
        yield
        return
    shared_data.end_open_blocks()  # what it commits must not go into a shared block, unseen
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        marks = committed_rows.watermarks()
    yield
    with blocker.unblock():
        committed_rows.remove_rows_above(marks)


def _uses_session_worker(item: pytest.Item) -> bool:
    return "celery_worker" in getattr(item, "fixturenames", ()) and SESSION_WORKER in RUNNING_WORKERS


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    if _uses_session_worker(item):
        take_tasks()  # a worker started by this setup takes tasks already
    return (yield)


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
            set_worker_aside()  # after what the clean-up queued too (e.g. dropping an index)
