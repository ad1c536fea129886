"""How ``make test``'s parallel processes (pytest-xdist) share the suite.

- Whole files are handed out: a file's tests run in one process, so its module fixtures (servers,
  committed tenants, data built once) are set up once.
- The files known to take longest go first, so neither process is left with one of them at the end;
  the rest by their number of tests, largest first.
- The browser files go last, one by one, to whichever process is free: both processes run browser
  tests at the end instead of one running them all while the other waits. A process's browser
  tests share one gunicorn, one Celery worker and its demo tenant, which they commit on purpose and
  never remove: a file run after them in the same process would see the demo tenant's
  subscription, invoices and audit entries in the platform-wide figures it checks. Since every
  other file is handed out before the first browser file, no process gets a file after a browser
  file. Each process that runs browser files starts its own gunicorn, worker, Chromium and demo
  tenant (session fixtures, on its own database). The browser files are handed out in the order
  they are collected, so each process runs them in the same order as one process would (a
  subsequence of it): what a browser file leaves in the demo tenant is seen by the same later
  files, or fewer. In one process pytest-django orders them last for the same reason (they use
  no test transaction).
"""

from __future__ import annotations

from typing import Any

BROWSER_DIR = "tests/browser"

# The longest files, longest first (a full run's ``--durations``). A file missing here is only
# scheduled later; nothing else depends on this list.
LONGEST_FILES = (
    "tests/api/contract/test_openapi_contract.py",
    "tests/tenants/test_provisioning.py",
    "tests/api/contract/test_graphql_contract.py",
    "tests/contacts/test_demo_data.py",
    "tests/tenants/test_backup.py",
    "tests/marketing/delivery/test_send_smtp.py",
    "tests/faults/test_worker_killed_import.py",
    "tests/customization/workflows/engine/test_worker_crash.py",
    "tests/billing/lifecycle/test_invoices.py",
    "tests/infra/test_web_preload.py",
    "tests/billing/lifecycle/test_payment.py",
    "tests/faults/test_worker_killed_webhook.py",
    "tests/test_content_security_policy.py",
    "tests/marketing/delivery/test_worker_killed.py",
    "tests/tenants/test_spare_schemas.py",
    "tests/customization/events/test_broker_outage.py",
)


def unit_of(nodeid: str) -> str:
    """The unit a test is handed out with: its file."""
    return nodeid.split("::", 1)[0]


def is_browser_unit(unit: str) -> bool:
    return unit.startswith(BROWSER_DIR + "/")


def handout_order(units: dict[str, Any]) -> list[str]:
    """The units (file paths), in the order they are collected, in the order they are handed out."""
    rank = {path: position for position, path in enumerate(LONGEST_FILES)}
    collected = {unit: position for position, unit in enumerate(units)}

    def key(unit: str) -> tuple[int, int]:
        if is_browser_unit(unit):
            return (2, collected[unit])
        if unit in rank:
            return (0, rank[unit])
        return (1, -len(units[unit]))

    return sorted(units, key=key)


def make_file_scheduler(config: Any, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

        def _assign_work_unit(self, node: Any) -> None:
            # Ordered before every hand-out, not once: a crashed process's unfinished file goes back
            # into the queue, and must still come before any browser file.
            queue = self.workqueue
            reordered = {unit: queue[unit] for unit in handout_order(queue)}
            queue.clear()
            queue.update(reordered)
            super()._assign_work_unit(node)

    return FileScheduling(config, log)
