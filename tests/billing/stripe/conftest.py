"""Stripe test helpers: the fake Stripe the SDK is pointed at, Stripe prices on the default plans,
subscriptions of the isolation tenants linked to fake Stripe subscriptions, and Celery tasks run
in-process (``eager_tasks``: what the after-commit queueing sends runs at once, in the same thread)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from billing.models import PlanPrice
from tests.billing.stripe.builders import PRICES
from tests.billing.stripe.fake_stripe import SECRET_KEY, WEBHOOK_SECRET, FakeStripe, running_fake_stripe


@pytest.fixture
def fake_stripe(settings: Any) -> Iterator[FakeStripe]:
    with running_fake_stripe() as fake:
        settings.STRIPE_API_BASE = fake.url
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300
        settings.STRIPE_MAX_NETWORK_RETRIES = 2
        yield fake


@pytest.fixture
def stripe_prices(db: None) -> dict[tuple[str, str], str]:
    for (plan_key, interval), price_id in PRICES.items():
        PlanPrice.objects.filter(plan__key=plan_key, currency="EUR", interval=interval).update(stripe_price_id=price_id)
    return PRICES
