"""Shared by the plan tests: a tenant's subscription."""

from __future__ import annotations

import pytest

from billing.choices import Provider
from billing.models import Plan, Subscription
from billing.services.subscriptions import start_subscription, update_subscription
from tests.tenancy import TenantFixture


@pytest.fixture
def subscribe():
    """Give a tenant a manual subscription of a plan, with an optional seat limit of its own."""

    def make(tenant: TenantFixture, plan: str = "starter", *, seat_limit: int | None = None) -> Subscription:
        plan_row = Plan.objects.get(key=plan)
        subscription = start_subscription(
            tenant.tenant, plan_row, provider=Provider.MANUAL, currency="EUR", trial=False, actor="test"
        )
        if seat_limit is not None:
            subscription = update_subscription(subscription, actor="test", limit_overrides={"seat_limit": seat_limit})
        return subscription

    return make
