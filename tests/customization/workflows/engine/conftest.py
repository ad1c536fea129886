"""Workflow engine helpers: rules made directly (the rule services are tested elsewhere), running
the outbox and the runs in-process, and a local HTTP receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from customization.events.dispatcher import dispatch_pending
from customization.workflows.choices import RunStatus
from customization.workflows.engine.runner import execute_run
from customization.workflows.models import WorkflowRule, WorkflowRun


def make_rule(
    *,
    entity: str = "deal",
    trigger: str = "record_created",
    actions: list[dict[str, Any]] | None = None,
    conditions: dict[str, Any] | None = None,
    trigger_config: dict[str, Any] | None = None,
    name: str = "Rule",
    is_active: bool = True,
) -> WorkflowRule:
    return WorkflowRule.objects.create(
        name=name,
        entity=entity,
        trigger=trigger,
        trigger_config=trigger_config or {},
        conditions=conditions or {},
        actions=actions or [],
        is_active=is_active,
    )


def drive(*, rounds: int = 50) -> None:
    """Deliver the outbox and run every runnable run, until nothing is left to do (in-process, in
    the test's transaction; the after-commit queueing never fires there)."""
    for _round in range(rounds):
        dispatch_pending()
        runnable = list(
            WorkflowRun.objects.filter(status__in=[RunStatus.PENDING, RunStatus.RUNNING]).values_list("pk", flat=True)
        )
        if not runnable:
            return
        for run_id in runnable:
            execute_run(run_id)
    raise AssertionError("workflows did not settle")


@dataclass
class Receiver:
    """A local HTTP endpoint that records what it gets and answers ``statuses`` in turn (then 200)."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    block: threading.Event | None = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state.requests.append(
                {"path": self.path, "headers": dict(self.headers.items()), "json": json.loads(body or b"null")}
            )
            if state.block is not None:
                state.block.wait(timeout=60)
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield state
    if state.block is not None:
        state.block.set()
    server.shutdown()
    server.server_close()


def run_after_commit_deliveries(callbacks: list[Any]) -> None:
    """Run the captured after-commit deliveries of workflow steps (not the broker kicks), once."""
    from customization.workflows.engine.runner import _deliver_after_commit

    for callback in list(callbacks):
        if getattr(callback, "func", None) is _deliver_after_commit:
            callback()
            callbacks.remove(callback)


@pytest.fixture
def committed_alpha(django_db_setup: None, request: pytest.FixtureRequest) -> Iterator[Any]:
    from tests.customization.events.conftest import committed_tenant

    yield from committed_tenant(request, "alpha")
