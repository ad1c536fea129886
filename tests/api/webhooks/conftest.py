"""Webhook test helpers: a local receiver on 127.0.0.1 that counts connections and verifies
Standard Webhooks signatures, endpoints made through the service, and driving the outbox and the
deliveries in-process (inside the test's transaction the after-commit queueing never fires)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from api.webhooks.models import Delivery, WebhookEndpoint
from api.webhooks.services.endpoints import create_endpoint
from api.webhooks.services.sending import attempt_delivery
from customization.events.dispatcher import dispatch_pending


@dataclass
class Receiver:
    """Answers ``statuses`` in turn (then 200); keeps each request's headers and raw body."""

    url: str = ""
    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request["body"]) for request in self.requests]


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """A receiver serving on 127.0.0.1 (a free port) until the block ends."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with state.lock:
                state.requests.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
                status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(f"answer {status}".encode())

        def log_message(self, format: str, *args: Any) -> None:
            return

    class CountingServer(ThreadingHTTPServer):
        def verify_request(self, request: Any, client_address: Any) -> bool:
            with state.lock:
                state.connections += 1
            return True

    server = CountingServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.port = int(server.server_address[1])
    state.url = f"http://127.0.0.1:{state.port}/hook"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as state:
        yield state


def make_endpoint(url: str, **filters: Any) -> WebhookEndpoint:
    return create_endpoint(url=url, by=None, **filters)


def deliver_events() -> list[Delivery]:
    """Hand the outbox to its consumers; the deliveries made, oldest first."""
    before = Delivery.objects.order_by("-id").values_list("id", flat=True).first() or 0
    dispatch_pending()
    return list(Delivery.objects.filter(id__gt=before).order_by("id"))


def attempt_now(delivery: Delivery) -> str | None:
    """Make the delivery due and run its next attempt, as the worker would."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    state = attempt_delivery(delivery.pk)
    delivery.refresh_from_db()
    return state
