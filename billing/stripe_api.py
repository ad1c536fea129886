"""The one module that talks to Stripe (through its SDK). Everything else in the project sees plain
dicts (Stripe's JSON objects) and the small dataclasses and exceptions defined here.

A client is built from the settings for each call, so nothing is configured at import. Every POST
carries an idempotency key the caller derives from what it is doing (``idempotency_key()``): the SDK
retries a request whose answer was lost with the same key, and a retry of the same intent later
reuses it, so Stripe acts once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

# (connect, read) seconds for one attempt; the SDK retries STRIPE_MAX_NETWORK_RETRIES times.
TIMEOUT_SECONDS = (5.0, 30.0)
SUBSCRIPTION_LIST_PAGE = 100


class StripeCallFailed(Exception):
    """Stripe refused or could not complete a call; the message says why."""


class StripeUnavailable(StripeCallFailed, ConnectionError):
    """Stripe could not be reached (after the SDK's retries) or asked us to come back later."""


class StripeNotFound(StripeCallFailed, LookupError):
    """Stripe does not know the object (deleted, or from another account)."""


class WebhookRejected(Exception):
    """A webhook request that is not a genuine, fresh Stripe event. ``reason`` is a short code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class HostedPage:
    """A page on Stripe's site (Checkout or the Customer Portal) the customer is sent to."""

    id: str
    url: str


def idempotency_key(operation: str, *parts: object) -> str:
    """``relata:<operation>:<part>:…`` — the same intent gives the same key."""
    return ":".join(["relata", operation, *(str(part) for part in parts)])


def digest(*values: str) -> str:
    """A short stable digest of ``values`` (URLs and the like in idempotency keys)."""
    return hashlib.sha256("\n".join(values).encode()).hexdigest()[:12]


def client() -> stripe.StripeClient:
    """A client for the configured account (and API base: tests point it at a local server)."""
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.STRIPE_MAX_NETWORK_RETRIES)


@functools.lru_cache(maxsize=4)
def _client(secret_key: str, api_base: str, max_network_retries: int) -> stripe.StripeClient:
    # One per configuration, so its HTTP connections are reused (the SDK keeps a session per thread).
    base_addresses: Any = {"api": api_base} if api_base else None
    return stripe.StripeClient(
        secret_key,
        base_addresses=base_addresses,
        max_network_retries=max_network_retries,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )


def _call(request: Callable[[], Any]) -> Any:
    """Run one SDK call, turning the SDK's errors into ours."""
    try:
        return request()
    except (stripe.APIConnectionError, stripe.RateLimitError) as error:
        raise StripeUnavailable(error.user_message or str(error)) from error
    except stripe.InvalidRequestError as error:
        if error.http_status == 404:
            raise StripeNotFound(error.user_message or str(error)) from error
        raise StripeCallFailed(error.user_message or str(error)) from error
    except stripe.APIError as error:
        raise StripeUnavailable(error.user_message or str(error)) from error
    except stripe.StripeError as error:
        raise StripeCallFailed(error.user_message or str(error)) from error


def _plain(stripe_object: Any) -> dict[str, Any]:
    data: dict[str, Any] = stripe_object.to_dict()
    return data


def create_customer(*, name: str, email: str, metadata: dict[str, str], idempotency_key: str) -> dict[str, Any]:
    params: Any = {"name": name, "metadata": metadata, **({"email": email} if email else {})}
    return _plain(_call(lambda: client().v1.customers.create(params, {"idempotency_key": idempotency_key})))


def create_checkout_session(
    *,
    customer: str,
    price: str,
    quantity: int,
    client_reference_id: str,
    metadata: dict[str, str],
    success_url: str,
    cancel_url: str,
    trial_days: int | None = None,
    trial_end: datetime | None = None,
    idempotency_key: str,
) -> HostedPage:
    """A Checkout page that starts a subscription of ``quantity`` × ``price`` for ``customer``, on a
    trial of ``trial_days`` or until ``trial_end`` when given."""
    subscription_data: dict[str, Any] = {"metadata": metadata}
    if trial_end is not None:
        subscription_data["trial_end"] = int(trial_end.timestamp())
    elif trial_days:
        subscription_data["trial_period_days"] = trial_days
    params: Any = {
        "mode": "subscription",
        "customer": customer,
        "line_items": [{"price": price, "quantity": quantity}],
        "client_reference_id": client_reference_id,
        "metadata": metadata,
        "subscription_data": subscription_data,
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    session = _call(lambda: client().v1.checkout.sessions.create(params, {"idempotency_key": idempotency_key}))
    return HostedPage(id=session.id, url=session.url)


def retrieve_checkout_session(session_id: str) -> dict[str, Any]:
    return _plain(_call(lambda: client().v1.checkout.sessions.retrieve(session_id)))


def create_portal_session(*, customer: str, return_url: str, idempotency_key: str) -> HostedPage:
    params: Any = {"customer": customer, "return_url": return_url}
    session = _call(lambda: client().v1.billing_portal.sessions.create(params, {"idempotency_key": idempotency_key}))
    return HostedPage(id=session.id, url=session.url)


def retrieve_subscription(subscription_id: str) -> dict[str, Any]:
    return _plain(_call(lambda: client().v1.subscriptions.retrieve(subscription_id)))


def update_subscription(
    subscription_id: str,
    *,
    item_id: str,
    price: str | None = None,
    quantity: int | None = None,
    idempotency_key: str,
) -> dict[str, Any]:
    """Change the price and/or quantity of the subscription's item, prorated."""
    item: dict[str, Any] = {"id": item_id}
    if price is not None:
        item["price"] = price
    if quantity is not None:
        item["quantity"] = quantity
    params: Any = {"items": [item], "proration_behavior": "create_prorations"}
    return _plain(
        _call(lambda: client().v1.subscriptions.update(subscription_id, params, {"idempotency_key": idempotency_key}))
    )


def cancel_subscription(subscription_id: str, *, at_period_end: bool, idempotency_key: str) -> dict[str, Any]:
    """Cancel now (Stripe ends it at once) or at the end of the paid period."""
    options: Any = {"idempotency_key": idempotency_key}
    if at_period_end:
        params: Any = {"cancel_at_period_end": True}
        return _plain(_call(lambda: client().v1.subscriptions.update(subscription_id, params, options)))
    return _plain(_call(lambda: client().v1.subscriptions.cancel(subscription_id, None, options)))


def retrieve_invoice(invoice_id: str) -> dict[str, Any]:
    return _plain(_call(lambda: client().v1.invoices.retrieve(invoice_id)))


def list_subscriptions() -> Iterator[dict[str, Any]]:
    """Every subscription of the account, cancelled ones included, page by page."""
    params: Any = {"status": "all", "limit": SUBSCRIPTION_LIST_PAGE}
    page = _call(lambda: client().v1.subscriptions.list(params))
    iterator = iter(page.auto_paging_iter())
    while True:
        item = _call(lambda: next(iterator, None))
        if item is None:
            return
        yield _plain(item)


def verify_webhook(payload: bytes, signature_header: str) -> dict[str, Any]:
    """The event in a webhook request, once its signature (over the raw body) and timestamp check out.

    Raises WebhookRejected with reason ``signature`` (missing, malformed or wrong), ``too_old``,
    ``future`` (the timestamp is further ahead than the tolerance: a clock we cannot trust) or ``payload``.
    """
    tolerance = settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as error:
        raise WebhookRejected("payload", _("The body is not UTF-8 text.")) from error
    try:
        # Signature only here (no tolerance): the timestamp is judged below, in both directions.
        stripe.WebhookSignature.verify_header(text, signature_header, settings.STRIPE_WEBHOOK_SECRET, None)
    except stripe.SignatureVerificationError as error:
        raise WebhookRejected("signature", _("The Stripe-Signature header does not match the body.")) from error
    timestamp = _signed_at(signature_header)
    now = time.time()
    if timestamp < now - tolerance:
        raise WebhookRejected("too_old", _("The signature is older than %(seconds)d seconds.") % {"seconds": tolerance})
    if timestamp > now + tolerance:
        raise WebhookRejected(
            "future", _("The signature is dated more than %(seconds)d seconds ahead.") % {"seconds": tolerance}
        )
    try:
        event = json.loads(text)
    except ValueError as error:
        raise WebhookRejected("payload", _("The body is not JSON.")) from error
    if not isinstance(event, dict) or event.get("object") != "event" or not event.get("id") or not event.get("type"):
        raise WebhookRejected("payload", _("The body is not a Stripe event."))
    if not isinstance((event.get("data") or {}).get("object"), dict) or not isinstance(event.get("created"), int):
        raise WebhookRejected("payload", _("The event has no data.object or no created time."))
    return event


def _signed_at(signature_header: str) -> int:
    """The ``t=`` of a header the SDK has already parsed and verified."""
    for part in signature_header.split(","):
        key, _separator, value = part.strip().partition("=")
        if key == "t":
            return int(value)
    raise WebhookRejected("signature", _("The Stripe-Signature header has no timestamp."))
