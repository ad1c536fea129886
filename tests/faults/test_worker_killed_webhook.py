"""A Celery worker SIGKILLed while it waits for a webhook receiver's answer: the delivery's lease
runs out, the next worker sends it again under the same ``webhook-id`` (the receiver's key to
drop the copy), and the delivery ends succeeded with one recorded attempt.

The receiver holds its answer to the first request until the worker is dead, so the dead worker
never learnt whether it was delivered: the worst moment, as in the marketing send's crash test."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from api.webhooks.models import Delivery, WebhookEndpoint
from api.webhooks.services.deliveries import due_delivery_ids
from api.webhooks.services.endpoints import create_endpoint
from api.webhooks.tasks import send_webhook_delivery
from modules.contacts.services.contacts import create_contact
from tests import processes
from tests.faults.conftest import FAULT_PREFIX, StandbyWorker
from tests.processes import start_celery_worker, stop, wait_until
from tests.tenancy import TenantFixture

LEASE_SECONDS = 3


class HoldingReceiver:
    """Records every request; holds its answer to the first one until ``release`` is set."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.release = threading.Event()
        self.url = ""


@contextmanager
def holding_receiver() -> Iterator[HoldingReceiver]:
    receiver = HoldingReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.requests.append(dict(self.headers.items()))
            if len(receiver.requests) == 1:
                receiver.release.wait(timeout=60)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def endpoint_cleanup(committed_alpha: TenantFixture) -> Iterator[None]:
    yield
    with committed_alpha.active():
        WebhookEndpoint.objects.filter(description=f"{FAULT_PREFIX}endpoint").delete()


@pytest.mark.worker
def test_a_delivery_whose_worker_is_killed_is_sent_again_under_the_same_id(
    committed_alpha: TenantFixture, endpoint_cleanup: None, tmp_path: Path, standby_worker: StandbyWorker
) -> None:
    environment = {
        **processes.test_process_environment(tmp_path),
        "WEBHOOK_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    first = start_celery_worker(environment, tmp_path / "first.log")
    with holding_receiver() as receiver:
        try:
            with committed_alpha.active():
                endpoint = create_endpoint(
                    url=receiver.url, by=None, event_types=["contact.created"], description=f"{FAULT_PREFIX}endpoint"
                )
                create_contact(by=None, first_name="Hook", last_name=f"{FAULT_PREFIX}webhook")
            wait_until(lambda: len(receiver.requests) == 1, timeout=60, what="the first request")

            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            receiver.release.set()  # the receiver answers a client that is gone
            with committed_alpha.active():
                delivery = Delivery.objects.get(endpoint=endpoint)
                assert delivery.state != "succeeded"
                assert delivery.attempts.count() == 0  # the dead worker recorded nothing

            standby_worker.take_over()  # the next worker

            def delivered() -> bool:
                with committed_alpha.active():
                    for delivery_id in due_delivery_ids():  # what beat's sweep queues every 30 s
                        send_webhook_delivery.apply_async((delivery_id,), retry=False)
                    delivery.refresh_from_db()
                return delivery.state == "succeeded"

            wait_until(delivered, timeout=60, interval=1, what="the delivery to be sent again")
            with committed_alpha.active():
                attempts = list(delivery.attempts.values_list("number", "response_status"))
                assert Delivery.objects.filter(endpoint=endpoint).count() == 1
        finally:
            if first.poll() is None:
                stop(first)
    assert attempts == [(1, 200)]
    assert len(receiver.requests) == 2
    assert {request["webhook-id"] for request in receiver.requests} == {delivery.webhook_id}
