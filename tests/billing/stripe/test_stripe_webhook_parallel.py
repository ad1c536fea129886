"""Five deliveries of the same event at once, on committed data, each request in its own thread
and database connection (as gunicorn's workers would be): one stored event, one handling, one
effect. The handling runs in the requests' threads (tasks eager), racing for the event's lock."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from django.db import connection
from django.test import Client

from billing.choices import Provider
from billing.models import Plan, PlanPrice, StripeEvent, Subscription, SubscriptionChange
from billing.services.subscriptions import start_subscription, update_subscription
from billing.webhooks.handling import handle_event, store_event
from tenants.models import Tenant, TenantStatusChange
from tenants.services.provisioning import TenantRequest, request_tenant
from tests.billing.stripe.builders import PRICES
from tests.billing.stripe.fake_stripe import FakeStripe, event_body, sample, signature_header

PARALLEL = 5
T = TypeVar("T")


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker: Any, fake_stripe: FakeStripe) -> Iterator[Subscription]:
    """A trialing Stripe subscription of a tenant made for this test (billing needs no schema for
    it), committed; everything is removed afterwards."""
    slug = f"race-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        price = PlanPrice.objects.get(plan__key="growth", currency="EUR", interval="month")
        previous_price_id = price.stripe_price_id
        PlanPrice.objects.filter(pk=price.pk).update(stripe_price_id=PRICES[("growth", "month")])
        tenant = request_tenant(TenantRequest(name="Race Ltd", slug=slug, admin_email=f"owner@{slug}.example"))
        subscription = start_subscription(
            tenant, price.plan, provider=Provider.STRIPE, currency="EUR", seats=2, status="trialing", actor="test"
        )
        subscription = update_subscription(
            subscription, actor="test", stripe_customer_id=f"cus_{slug}", stripe_subscription_id=f"sub_{slug}"
        )
        fake_stripe.add_subscription(
            f"sub_{slug}", customer=f"cus_{slug}", price=PRICES[("growth", "month")], quantity=4, status="active"
        )
        try:
            yield subscription
        finally:
            StripeEvent.objects.filter(object_id=f"sub_{slug}").delete()
            Subscription.objects.filter(pk=subscription.pk).delete()
            Tenant.objects.filter(pk=tenant.pk).delete()
            PlanPrice.objects.filter(pk=price.pk).update(stripe_price_id=previous_price_id)
            assert Plan.objects.filter(key="growth").exists()


def _at_once(work: Callable[[], T]) -> list[T]:
    """Run ``work`` in PARALLEL threads released together; each closes its database connection."""
    start = threading.Barrier(PARALLEL)

    def run(_index: int) -> T:
        try:
            start.wait(timeout=10)
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(run, range(PARALLEL)))


def _effects(subscription: Subscription) -> tuple[int, int]:
    return (
        SubscriptionChange.objects.filter(subscription=subscription).count(),
        TenantStatusChange.objects.filter(tenant_id=subscription.tenant_id).count(),
    )


def test_the_same_event_posted_five_times_at_once_is_stored_once_with_one_effect(
    committed: Subscription, fake_stripe: FakeStripe, eager_tasks: None
) -> None:
    stripe_id = committed.stripe_subscription_id
    stripe_subscription = fake_stripe.subscriptions[stripe_id]
    body = event_body("customer.subscription.updated", stripe_subscription, event_id=f"evt_{stripe_id}")
    header = signature_header(body)
    changes_before, transitions_before = _effects(committed)

    def deliver() -> tuple[int, dict[str, Any]]:
        response = Client(HTTP_HOST="localhost").post(
            "/billing/stripe/webhook/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
        return response.status_code, response.json()

    answers = _at_once(deliver)

    assert [status for status, _body in answers] == [200] * PARALLEL
    assert sorted(answer["duplicate"] for _status, answer in answers) == [False] + [True] * (PARALLEL - 1)
    event = StripeEvent.objects.get(event_id=f"evt_{stripe_id}")
    assert (event.status, event.attempts) == ("processed", 1)
    assert fake_stripe.calls().count(("GET", f"/v1/subscriptions/{stripe_id}")) == 1
    committed.refresh_from_db()
    assert (committed.status, committed.seats) == ("active", 4)
    assert _effects(committed) == (changes_before + 1, transitions_before + 1)
    assert Tenant.objects.get(pk=committed.tenant_id).status == "active"


def test_five_handlers_of_one_event_at_once_handle_it_once(committed: Subscription, fake_stripe: FakeStripe) -> None:
    stripe_id = committed.stripe_subscription_id
    event = sample("event", id=f"evt_h_{stripe_id}", type="customer.subscription.updated", created=1_790_000_000)
    event["data"] = {"object": fake_stripe.subscriptions[stripe_id]}
    stored, _created = store_event(event)
    changes_before, transitions_before = _effects(committed)

    outcomes = _at_once(lambda: handle_event(stored.pk))

    assert (outcomes.count("processed"), outcomes.count(None)) == (1, PARALLEL - 1)
    assert fake_stripe.calls().count(("GET", f"/v1/subscriptions/{stripe_id}")) == 1
    assert _effects(committed) == (changes_before + 1, transitions_before + 1)
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == ("processed", 1)
