"""Data built once and read by several tests: a module's (or a class's) own rolled-back transaction.

Building some data costs seconds (the demo data, a provisioned tenant, a tenant's OpenAPI document
and GraphQL schema), and a file whose every test builds it again spends its time there. A
higher-scoped fixture builds it once inside ``rolled_back``: either it returns what it built (a
document, a schema) and the block ends at once, or it yields inside the block, and the tests of its
scope run inside that transaction. Each test's own transaction (the ``db`` fixture) is then a
savepoint in it, so a test still cannot leak into the next one, and nothing of the shared data
outlives the scope: the block's end rolls it back. pytest-django leaves ``TestCase``'s class-level
set-up out for this reason (it would close the connection and with it the outer transaction).

Only tests in a test transaction may run inside a block: a test that commits (workers, threads,
other processes) would commit into it, unseen by the others. pytest-django runs a file's tests in a
transaction before the rest, and before a test that commits every open block is ended
(``end_open_blocks``, ``tests/suite_rules.py``); a fixture handing out shared data checks
``SharedBlock.open`` and builds its own when the block is gone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

_OPEN: list[SharedBlock] = []


class SharedBlock:
    """An open transaction on the default connection whose writes are undone when it ends."""

    def __init__(self, django_db_blocker: Any) -> None:
        self._blocker = django_db_blocker
        with django_db_blocker.unblock():
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
        self.open = True
        _OPEN.append(self)

    def end(self) -> None:
        if not self.open:
            return
        self.open = False
        _OPEN.remove(self)
        with self._blocker.unblock():
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
            connection.set_schema_to_public()


def end_open_blocks() -> None:
    """Roll back every open block, innermost first."""
    for block in reversed(list(_OPEN)):
        block.end()


@contextmanager
def rolled_back(django_db_blocker: Any) -> Iterator[SharedBlock]:
    """A block whose writes are undone when it ends (or earlier, by ``end_open_blocks``)."""
    block = SharedBlock(django_db_blocker)
    try:
        yield block
    finally:
        block.end()
