"""Subscriptions for the usage tests: a tenant on a plan (manual provider), with limits set per test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from billing.models import Plan, Subscription
from billing.services.subscriptions import start_subscription, update_subscription
from tests.tenancy import TenantFixture


def subscribe(
    fixture: TenantFixture,
    *,
    plan: str = "starter",
    currency: str = "EUR",
    trial: bool = False,
    seats: int = 3,
    **limits: int | None,
) -> Subscription:
    """``fixture``'s tenant on ``plan`` (paid by bank transfer), with ``limits`` overriding the plan's."""
    subscription = start_subscription(
        fixture.tenant,
        Plan.objects.get(key=plan),
        provider="manual",
        currency=currency,
        seats=seats,
        trial=trial,
        actor="test",
    )
    if limits:
        subscription = update_subscription(subscription, actor="test", limit_overrides=limits)
    return subscription


@pytest.fixture
def subscribed() -> Callable[..., Subscription]:
    return subscribe


@pytest.fixture
def private_files(settings: Any, tmp_path: Any) -> Any:
    """An empty PRIVATE_FILES_ROOT for the test."""
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    return settings.PRIVATE_FILES_ROOT
