"""Stripe's webhook endpoint: only genuine, fresh events are stored; each is stored once and handled
by reading the object from Stripe, so late, repeated and out-of-order events end in Stripe's state."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client

from billing.models import StripeEvent, SubscriptionChange
from tests.billing.stripe.builders import stripe_subscription
from tests.billing.stripe.fake_stripe import FakeStripe, event_body, signature_header
from tests.tenancy import TenantFixture

WEBHOOK = "/billing/stripe/webhook/"


def post_event(client: Client, body: bytes, header: str | None = None) -> Any:
    return client.post(
        WEBHOOK,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature_header(body) if header is None else header,
    )


@pytest.fixture
def alpha_on_stripe(alpha: TenantFixture, fake_stripe: FakeStripe, stripe_prices: Any) -> Any:
    return stripe_subscription(alpha.tenant, fake_stripe, seats=3)


def test_a_signed_event_is_stored_and_handled_with_what_stripe_says_now(
    alpha: TenantFixture,
    alpha_on_stripe: Any,
    fake_stripe: FakeStripe,
    public_client: Client,
    eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # the event carries the state when it was sent; Stripe has moved on since
    body = event_body("customer.subscription.updated", dict(fake_stripe.subscriptions["sub_alpha"]), event_id="evt_1")
    stripe_now = fake_stripe.subscriptions["sub_alpha"]
    stripe_now["status"] = "past_due"
    stripe_now["items"]["data"][0]["quantity"] = 5

    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = post_event(public_client, body)

    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    assert len(queued) == 1
    event = StripeEvent.objects.get()
    assert (event.event_id, event.type, event.object_id, event.status, event.attempts, event.error) == (
        "evt_1",
        "customer.subscription.updated",
        "sub_alpha",
        "processed",
        1,
        "",
    )
    assert event.processed_at is not None
    assert fake_stripe.calls() == [("GET", "/v1/subscriptions/sub_alpha")]
    alpha_on_stripe.refresh_from_db()
    assert (alpha_on_stripe.status, alpha_on_stripe.seats) == ("past_due", 5)
    assert alpha_on_stripe.provider_updated_at is not None
    alpha.tenant.refresh_from_db()
    assert alpha.tenant.status == "past_due"


def _assert_rejected(response: Any, reason: str) -> None:
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["status"], problem["reason"]) == (400, reason)
    assert problem["detail"]
    assert not StripeEvent.objects.exists()


def test_a_forged_signature_is_rejected_and_nothing_is_stored(
    alpha_on_stripe: Any, fake_stripe: FakeStripe, public_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    body = event_body("customer.subscription.deleted", fake_stripe.subscriptions["sub_alpha"], event_id="evt_forged")

    with django_capture_on_commit_callbacks() as queued:
        forged = post_event(public_client, body, signature_header(body, secret="whsec_guessed"))
        unsigned = post_event(public_client, body, "")

    _assert_rejected(forged, "signature")
    _assert_rejected(unsigned, "signature")
    assert queued == []
    assert fake_stripe.requests == []


def test_the_same_json_serialized_differently_does_not_match_the_signature(
    fake_stripe: FakeStripe, alpha_on_stripe: Any, public_client: Client
) -> None:
    body = event_body("customer.subscription.updated", fake_stripe.subscriptions["sub_alpha"], event_id="evt_2")
    reserialized = json.dumps(json.loads(body), indent=2, sort_keys=True).encode()
    assert json.loads(reserialized) == json.loads(body)

    response = post_event(public_client, reserialized, signature_header(body))

    _assert_rejected(response, "signature")


def test_a_signature_older_than_the_tolerance_is_rejected(
    fake_stripe: FakeStripe, alpha_on_stripe: Any, public_client: Client
) -> None:
    body = event_body("customer.subscription.updated", fake_stripe.subscriptions["sub_alpha"], event_id="evt_3")

    response = post_event(public_client, body, signature_header(body, timestamp=int(time.time()) - 301))

    _assert_rejected(response, "too_old")


def test_a_signature_dated_beyond_the_tolerance_ahead_is_rejected(
    fake_stripe: FakeStripe, alpha_on_stripe: Any, public_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    body = event_body("customer.subscription.updated", fake_stripe.subscriptions["sub_alpha"], event_id="evt_4")

    future = post_event(public_client, body, signature_header(body, timestamp=int(time.time()) + 400))
    _assert_rejected(future, "future")

    # a clock a minute fast is within the tolerance
    with django_capture_on_commit_callbacks():
        skewed = post_event(public_client, body, signature_header(body, timestamp=int(time.time()) + 60))
    assert skewed.status_code == 200
    assert StripeEvent.objects.filter(event_id="evt_4").count() == 1


def test_a_signed_body_that_is_not_an_event_is_rejected(fake_stripe: FakeStripe, public_client: Client) -> None:
    for body in (b"{not json", b'{"object": "event", "id": "evt_5"}', "caf\xe9".encode("latin-1")):
        _assert_rejected(post_event(public_client, body), "payload")


def test_only_the_public_host_serves_the_endpoint_and_only_for_post(
    alpha: TenantFixture, fake_stripe: FakeStripe, alpha_on_stripe: Any, public_client: Client
) -> None:
    body = event_body("customer.subscription.updated", fake_stripe.subscriptions["sub_alpha"], event_id="evt_6")

    on_tenant_host = post_event(alpha.client(email=None), body)
    read = public_client.get(WEBHOOK)

    assert on_tenant_host.status_code == 404
    assert read.status_code == 405
    assert not StripeEvent.objects.exists()


def test_a_redelivered_event_is_stored_once_and_has_one_effect(
    alpha_on_stripe: Any,
    fake_stripe: FakeStripe,
    public_client: Client,
    eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    fake_stripe.subscriptions["sub_alpha"]["items"]["data"][0]["quantity"] = 7
    body = event_body("customer.subscription.updated", fake_stripe.subscriptions["sub_alpha"], event_id="evt_7")
    changes_before = SubscriptionChange.objects.filter(subscription=alpha_on_stripe).count()

    with django_capture_on_commit_callbacks(execute=True) as first_queue:
        first = post_event(public_client, body)
    with django_capture_on_commit_callbacks(execute=True) as second_queue:
        second = post_event(public_client, body)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == {"received": True, "duplicate": True}
    assert (len(first_queue), len(second_queue)) == (1, 0)  # handled already: not queued again
    assert StripeEvent.objects.filter(event_id="evt_7").count() == 1
    assert SubscriptionChange.objects.filter(subscription=alpha_on_stripe).count() == changes_before + 1
    assert fake_stripe.calls() == [("GET", "/v1/subscriptions/sub_alpha")]


def test_a_deletion_delivered_before_an_older_update_still_ends_cancelled(
    alpha: TenantFixture,
    alpha_on_stripe: Any,
    fake_stripe: FakeStripe,
    public_client: Client,
    eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    active = dict(fake_stripe.subscriptions["sub_alpha"], status="active")
    now = int(time.time())
    fake_stripe.subscriptions["sub_alpha"].update(status="canceled", canceled_at=now, ended_at=now)
    deleted = event_body(
        "customer.subscription.deleted", fake_stripe.subscriptions["sub_alpha"], event_id="evt_del", created=now
    )
    older_update = event_body("customer.subscription.updated", active, event_id="evt_upd", created=now - 60)

    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(public_client, deleted).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(public_client, older_update).status_code == 200

    assert set(StripeEvent.objects.values_list("event_id", "status")) == {
        ("evt_del", "processed"),
        ("evt_upd", "processed"),
    }
    alpha_on_stripe.refresh_from_db()
    assert alpha_on_stripe.status == "canceled"
    assert alpha_on_stripe.cancelled_at is not None
    alpha.tenant.refresh_from_db()
    assert alpha.tenant.status == "cancelled"


def test_a_subscription_stripe_no_longer_knows_ends_cancelled(
    alpha: TenantFixture,
    alpha_on_stripe: Any,
    fake_stripe: FakeStripe,
    public_client: Client,
    eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    gone = fake_stripe.subscriptions.pop("sub_alpha")
    body = event_body("customer.subscription.updated", gone, event_id="evt_gone")

    with django_capture_on_commit_callbacks(execute=True):
        post_event(public_client, body)

    assert StripeEvent.objects.get().status == "processed"
    alpha_on_stripe.refresh_from_db()
    assert alpha_on_stripe.status == "canceled"


def test_an_event_type_billing_does_not_handle_is_ignored(
    fake_stripe: FakeStripe, public_client: Client, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    body = event_body("customer.created", {"id": "cus_x", "object": "customer"}, event_id="evt_other")

    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(public_client, body)

    assert response.status_code == 200
    event = StripeEvent.objects.get()
    assert (event.status, event.object_id, event.attempts) == ("ignored", "cus_x", 1)
    assert fake_stripe.requests == []
