"""How ``make test``'s parallel processes (pytest-xdist) share the suite.

- A file's tests run in one process, so its module fixtures (servers, committed tenants) are set up
  once.
- The browser tests are one unit and the last one handed out. They share one gunicorn, one Celery
  worker and the demo tenant, which they commit on purpose and never remove: a file run after them
  in the same process would see the demo tenant's subscription, invoices and audit entries in the
  platform-wide figures it checks. In one process pytest-django orders them last for the same reason
  (they use no test transaction).
- The files known to take longest go first, so neither process is left with one of them at the end;
  the rest by their number of tests, largest first.
"""

from __future__ import annotations

from typing import Any

BROWSER_UNIT = "tests/browser"

# The longest files, longest first (a full run's ``--durations``). A file missing here is only
# scheduled later; nothing else depends on this list.
LONGEST_FILES = (
    "tests/api/contract/test_openapi_contract.py",
    "tests/dataio/imports/test_large_import.py",
    "tests/api/contract/test_graphql_contract.py",
    "tests/tenants/test_provisioning.py",
    "tests/customization/events/test_broker_outage.py",
    "tests/test_static_files.py",
    "tests/marketing/delivery/test_send_smtp.py",
    "tests/contacts/test_demo_data.py",
    "tests/customization/workflows/engine/test_worker_crash.py",
    "tests/marketing/delivery/test_worker_killed.py",
    "tests/faults/test_worker_killed_import.py",
    "tests/faults/test_worker_killed_webhook.py",
)


def unit_of(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    return BROWSER_UNIT if path.startswith(BROWSER_UNIT + "/") else path


def handout_order(units: dict[str, Any]) -> list[str]:
    """The units (file paths, and the browser unit) in the order they are handed out."""
    rank = {path: position for position, path in enumerate(LONGEST_FILES)}

    def key(unit: str) -> tuple[int, int, int]:
        if unit == BROWSER_UNIT:
            return (2, 0, 0)
        if unit in rank:
            return (0, rank[unit], 0)
        return (1, -len(units[unit]), 0)

    return sorted(units, key=key)


def make_file_scheduler(config: Any, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

        def _assign_work_unit(self, node: Any) -> None:
            if not self.ordered:  # the queue is complete before the first unit is handed out
                queue = self.workqueue
                reordered = {unit: queue[unit] for unit in handout_order(queue)}
                queue.clear()
                queue.update(reordered)
                self.ordered = True
            super()._assign_work_unit(node)

    return FileScheduling(config, log)
