"""Billed seats follow the tenant's active users: after someone joins or is (de)activated, the
subscription's provider is told the new number (at least one seat)."""

from __future__ import annotations

import logging

from django.db import transaction
from django_tenants.utils import tenant_context

from billing.entitlements import forget_subscription, subscription_of
from billing.providers import provider_for
from tenants.models import Tenant

logger = logging.getLogger(__name__)


def active_user_count(tenant: Tenant) -> int:
    from identity.models import User  # a tenant app: read inside the tenant's schema

    with tenant_context(tenant):
        return User.objects.filter(is_active=True).count()


def sync_billed_seats(tenant: Tenant, *, actor: str) -> int | None:
    """Bill as many seats as ``tenant`` has active users; returns the seats billed, or None when
    the tenant has no subscription or the provider refused.

    A provider failure is logged and swallowed: the user change that led here is already committed,
    and the next change (or the operator) brings the seats in line again.
    """
    forget_subscription(tenant)  # the number must be compared with the stored one, not a cached read
    subscription = subscription_of(tenant)
    if subscription is None:
        return None
    seats = max(1, active_user_count(tenant))
    if subscription.seats == seats:
        return seats
    try:
        provider_for(subscription).set_seats(subscription, seats, actor=actor)
    except Exception:
        logger.exception("Billing %s seats for tenant %s failed", seats, tenant.schema_name)
        return None
    return seats


def sync_billed_seats_on_commit(tenant: Tenant, *, actor: str) -> None:
    """``sync_billed_seats`` once the current transaction commits (never for one rolled back)."""
    transaction.on_commit(lambda: sync_billed_seats(tenant, actor=actor))
