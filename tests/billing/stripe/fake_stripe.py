"""A local stand-in for Stripe's API (the internet's edge in these tests) and signed webhook bodies.

``FakeStripe`` serves on 127.0.0.1 (a free port) the few endpoints billing calls, answering with
Stripe's own sample objects (``stripe_objects.json``: resources taken from Stripe's published
``openapi/fixtures3.json``, MIT License, Copyright (c) 2011- Stripe, Inc.) with ids and fields set
per test. It records every request (method, path, form-decoded params, Idempotency-Key) and, like
Stripe, replays the saved answer to a POST whose Idempotency-Key it has seen, so ``effects``
counts what really changed. ``drop_once`` makes it read a request, act on it and close the
connection without answering, as when a response is lost on the way.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SAMPLES: dict[str, Any] = json.loads((Path(__file__).with_name("stripe_objects.json")).read_text())["resources"]
WEBHOOK_SECRET = "whsec_test_relata"
SECRET_KEY = "sk_test_relata"


def sample(kind: str, **fields: Any) -> dict[str, Any]:
    """A copy of Stripe's sample ``kind`` object with ``fields`` replaced."""
    obj = copy.deepcopy(SAMPLES[kind])
    obj.update(fields)
    return obj


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    idempotency_key: str | None


@dataclass
class FakeStripe:
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    checkout_sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    effects: list[str] = field(default_factory=list)
    answers_by_key: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    dropping: set[tuple[str, str]] = field(default_factory=set)
    lock: threading.RLock = field(default_factory=threading.RLock)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # --- objects the test sets up -------------------------------------------------------------

    def add_subscription(
        self,
        subscription_id: str,
        *,
        customer: str,
        price: str,
        quantity: int = 1,
        status: str = "active",
        metadata: dict[str, str] | None = None,
        period: tuple[int, int] = (1_790_000_000, 1_792_592_000),
        cancel_at_period_end: bool = False,
        trial_end: int | None = None,
    ) -> dict[str, Any]:
        item = copy.deepcopy(SAMPLES["subscription"]["items"]["data"][0])
        item.update(id=f"si_{subscription_id}", subscription=subscription_id, quantity=quantity)
        item["price"].update(id=price)
        item.update(current_period_start=period[0], current_period_end=period[1])
        subscription = sample(
            "subscription",
            id=subscription_id,
            customer=customer,
            status=status,
            metadata=metadata or {},
            cancel_at_period_end=cancel_at_period_end,
            cancel_at=None,
            canceled_at=None,
            ended_at=None,
            trial_end=trial_end,
            trial_start=None,
        )
        subscription["items"] = {**subscription["items"], "data": [item]}
        with self.lock:
            self.subscriptions[subscription_id] = subscription
        return subscription

    def add_invoice(self, invoice_id: str, *, subscription: str, customer: str, **fields: Any) -> dict[str, Any]:
        invoice = sample("invoice", id=invoice_id, customer=customer, subscription=subscription, **fields)
        invoice["parent"] = {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {"metadata": {}, "subscription": subscription},
        }
        with self.lock:
            self.invoices[invoice_id] = invoice
        return invoice

    def add_checkout_session(self, session_id: str, **fields: Any) -> dict[str, Any]:
        session = sample("checkout.session", id=session_id, **fields)
        with self.lock:
            self.checkout_sessions[session_id] = session
        return session

    def drop_once(self, method: str, path: str) -> None:
        """Act on the next ``method path`` request, then hang up without answering."""
        with self.lock:
            self.dropping.add((method, path))

    def posts(self) -> list[Request]:
        return [request for request in self.requests if request.method == "POST"]

    def calls(self) -> list[tuple[str, str]]:
        return [(request.method, request.path) for request in self.requests]

    # --- the API --------------------------------------------------------------------------------

    def answer(self, request: Request) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if request.idempotency_key and request.idempotency_key in self.answers_by_key:
                return self.answers_by_key[request.idempotency_key]
            status, body = self._route(request)
            if request.method == "POST" and request.idempotency_key:
                self.answers_by_key[request.idempotency_key] = (status, body)
            return status, body

    def _route(self, request: Request) -> tuple[int, dict[str, Any]]:
        method, parts, params = request.method, request.path.strip("/").split("/")[1:], request.params
        if method == "POST" and parts == ["customers"]:
            customer = sample("customer", id=f"cus_fake{next(self.ids)}", name=params.get("name"), metadata={})
            self.effects.append(f"customer {customer['id']}")
            return 200, customer
        if method == "POST" and parts == ["checkout", "sessions"]:
            session_id = f"cs_test_fake{next(self.ids)}"
            session = sample(
                "checkout.session",
                id=session_id,
                mode=params.get("mode"),
                customer=params.get("customer"),
                client_reference_id=params.get("client_reference_id"),
                success_url=params.get("success_url"),
                cancel_url=params.get("cancel_url"),
                url=f"https://checkout.stripe.test/c/pay/{session_id}",
            )
            self.checkout_sessions[session_id] = session
            self.effects.append(f"checkout {session_id}")
            return 200, session
        if method == "GET" and parts[:2] == ["checkout", "sessions"] and len(parts) == 3:
            return self._found("checkout_session", self.checkout_sessions.get(parts[2]))
        if method == "POST" and parts == ["billing_portal", "sessions"]:
            session_id = f"bps_fake{next(self.ids)}"
            portal = sample(
                "billing_portal.session",
                id=session_id,
                customer=params.get("customer"),
                return_url=params.get("return_url"),
                url=f"https://billing.stripe.test/p/session/{session_id}",
            )
            self.effects.append(f"portal {session_id}")
            return 200, portal
        if parts == ["subscriptions"] and method == "GET":
            listed = list(self.subscriptions.values())
            if "starting_after" in params:
                listed = listed[[s["id"] for s in listed].index(params["starting_after"]) + 1 :]
            limit = int(params.get("limit", 10))
            return 200, {
                "object": "list",
                "url": "/v1/subscriptions",
                "has_more": len(listed) > limit,
                "data": listed[:limit],
            }
        if parts[:1] == ["subscriptions"] and len(parts) == 2:
            subscription = self.subscriptions.get(parts[1])
            if subscription is None or method == "GET":
                return self._found("subscription", subscription)
            if method == "DELETE":
                subscription.update(status="canceled", canceled_at=int(time.time()), ended_at=int(time.time()))
                self.effects.append(f"cancel {parts[1]}")
                return 200, subscription
            return 200, self._update_subscription(subscription, params)
        if method == "GET" and parts[:1] == ["invoices"] and len(parts) == 2:
            return self._found("invoice", self.invoices.get(parts[1]))
        return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL {request.path}"}}

    def _update_subscription(self, subscription: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        item = subscription["items"]["data"][0]
        if "items[0][id]" in params and params["items[0][id]"] != item["id"]:
            raise AssertionError(f"unknown subscription item {params['items[0][id]']}")
        if "items[0][price]" in params:
            item["price"] = {**item["price"], "id": params["items[0][price]"]}
        if "items[0][quantity]" in params:
            item["quantity"] = int(params["items[0][quantity]"])
        if "cancel_at_period_end" in params:
            subscription["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
        self.effects.append(f"update {subscription['id']} {sorted(params.items())}")
        return subscription

    @staticmethod
    def _found(kind: str, obj: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
        if obj is None:
            error = {"type": "invalid_request_error", "code": "resource_missing", "message": f"No such {kind}"}
            return 404, {"error": error}
        return 200, obj


@contextmanager
def running_fake_stripe(port: int = 0) -> Iterator[FakeStripe]:
    """A fake Stripe serving until the block ends (on ``port``, or any free one)."""
    fake = FakeStripe()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            params = dict(parse_qsl(body or split.query, keep_blank_values=True))
            request = Request(self.command, split.path, params, self.headers.get("Idempotency-Key"))
            with fake.lock:
                fake.requests.append(request)
                dropped = (self.command, split.path) in fake.dropping
                fake.dropping.discard((self.command, split.path))
            status, answer = fake.answer(request)
            if dropped:
                self.close_connection = True
                return
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Request-Id", f"req_fake{next(fake.ids)}")
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def event_body(event_type: str, data_object: dict[str, Any], *, event_id: str, created: int | None = None) -> bytes:
    """The JSON body of a Stripe event wrapping ``data_object`` (Stripe's sample event, adjusted)."""
    event = sample(
        "event",
        id=event_id,
        type=event_type,
        created=created or int(time.time()),
        api_version="2026-10-28.endive",
        data={"object": data_object},
    )
    return json.dumps(event).encode()


def signature_header(body: bytes, *, timestamp: int | None = None, secret: str = WEBHOOK_SECRET) -> str:
    """Stripe's ``Stripe-Signature``: ``t=<unix time>,v1=<HMAC-SHA256 of "t.body">``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + body
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"
