"""Subscriptions: the one place that changes them, records their history and moves the tenant's
lifecycle to match.

    subscription status        tenant status
    trialing                   trial
    active                     active
    past_due                   past_due, then suspended once BILLING_GRACE_DAYS have passed
    unpaid                     suspended (read-only)
    canceled                   cancelled (read-only; deleted after BILLING_RETENTION_DAYS)
    incomplete                 unchanged (the first payment is still outstanding)

An operator's suspension (``suspended_by_operator``) wins over the provider until the operator resumes.
Both providers (Stripe's webhooks and reconciliation, the manual provider's invoices) and the
time-driven lifecycle call ``update_subscription``; nothing else writes a subscription's state.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.choices import PAYING_STATUSES, Interval, Provider, SubscriptionStatus
from billing.entitlements import apply_entitlements, forget_subscription
from billing.models import Plan, PlanPrice, Subscription, SubscriptionChange
from tenants.choices import TenantStatus
from tenants.models import Tenant
from tenants.services.lifecycle import ALLOWED_TRANSITIONS, transition_tenant

logger = logging.getLogger(__name__)

SS = SubscriptionStatus
# Fields whose change is a new point in the subscription's history.
HISTORY_FIELDS = frozenset({"status", "plan", "plan_id", "seats", "currency", "interval"})


def price_for(plan: Plan, currency: str, interval: str) -> PlanPrice:
    """The plan's price in ``currency`` per ``interval``; a ValidationError naming the field otherwise."""
    price = PlanPrice.objects.filter(plan=plan, currency=currency, interval=interval).first()
    if price is None:
        raise ValidationError(
            {
                "currency": [
                    _("The %(plan)s plan has no %(interval)s price in %(currency)s.")
                    % {"plan": plan.name, "interval": Interval(interval).label.lower(), "currency": currency}
                ]
            }
        )
    return price


def monthly_amount(subscription: Subscription) -> int:
    """Monthly recurring revenue of the subscription now, in its currency's minor unit."""
    if subscription.status not in PAYING_STATUSES:
        return 0
    price = PlanPrice.objects.filter(
        plan_id=subscription.plan_id, currency=subscription.currency, interval=subscription.interval
    ).first()
    return 0 if price is None else price.monthly_seat_amount * subscription.seats


def start_subscription(
    tenant: Tenant,
    plan: Plan,
    *,
    provider: str,
    currency: str,
    interval: str = Interval.MONTH,
    seats: int = 1,
    trial: bool = True,
    status: str | None = None,
    actor: str,
    now: datetime | None = None,
) -> Subscription:
    """Give ``tenant`` its subscription (one per tenant): a trial of the plan's length, or ``status``."""
    now = now or timezone.now()
    price_for(plan, currency, interval)
    if provider not in Provider.values:
        raise ValidationError({"provider": [_("Unknown billing provider “%(provider)s”.") % {"provider": provider}]})
    if seats < 1:
        raise ValidationError({"seats": [_("A subscription has at least one seat.")]})
    with transaction.atomic():
        if Subscription.objects.filter(tenant=tenant).exists():
            raise ValidationError({"tenant": [_("%(tenant)s already has a subscription.") % {"tenant": tenant.name}]})
        subscription = Subscription.objects.create(
            tenant=tenant,
            plan=plan,
            provider=provider,
            currency=currency,
            interval=interval,
            seats=seats,
            status=status or (SS.TRIALING if trial else SS.ACTIVE),
            trial_ends_at=now + timedelta(days=plan.trial_days) if trial and plan.trial_days else None,
            current_period_start=now,
            current_period_end=next_period_end(now, interval) if not trial else None,
        )
        apply_entitlements(subscription)
        _record_change(subscription, actor=actor, reason="subscription started", at=now)
        sync_tenant_status(subscription, actor=actor, now=now)
    return subscription


def update_subscription(
    subscription: Subscription, *, actor: str, reason: str = "", now: datetime | None = None, **changes: Any
) -> Subscription:
    """Change fields of a subscription under a row lock, then its entitlements, history and tenant status."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().select_related("plan", "tenant").get(pk=subscription.pk)
        changed = set()
        for field, value in changes.items():
            if getattr(locked, field) != value:
                setattr(locked, field, value)
                changed.add(field)
        if "status" in changed:
            _stamp_status_dates(locked, now)
        if changed:
            locked.save()
        if changed & {"plan", "plan_id", "module_overrides", "limit_overrides"}:
            locked.plan = Plan.objects.get(pk=locked.plan_id)
            apply_entitlements(locked)
        if changed & HISTORY_FIELDS:
            _record_change(locked, actor=actor, reason=reason, at=now)
        sync_tenant_status(locked, actor=actor, reason=reason, now=now)
    forget_subscription(subscription.tenant)
    subscription.refresh_from_db()
    return subscription


def grace_ends_at(subscription: Subscription) -> datetime | None:
    """When a past-due subscription's tenant is suspended if nothing is paid (None unless past due)."""
    if subscription.past_due_since is None:
        return None
    return subscription.past_due_since + timedelta(days=settings.BILLING_GRACE_DAYS)


def desired_tenant_status(subscription: Subscription, now: datetime | None = None) -> str | None:
    """The tenant status the subscription calls for, or None to leave the tenant as it is."""
    now = now or timezone.now()
    status = subscription.status
    if status == SS.CANCELED:
        return TenantStatus.CANCELLED
    if subscription.suspended_by_operator:
        return TenantStatus.SUSPENDED
    if status == SS.UNPAID:
        return TenantStatus.SUSPENDED
    if status == SS.PAST_DUE:
        grace_end = grace_ends_at(subscription)
        if grace_end is not None and now >= grace_end:
            return TenantStatus.SUSPENDED
        return TenantStatus.PAST_DUE
    if status == SS.TRIALING:
        return TenantStatus.TRIAL
    if status == SS.ACTIVE:
        return TenantStatus.ACTIVE
    return None


def sync_tenant_status(
    subscription: Subscription, *, actor: str, reason: str = "", now: datetime | None = None
) -> str | None:
    """Move the subscription's tenant to the status the subscription calls for, if the lifecycle allows."""
    tenant = Tenant.objects.get(pk=subscription.tenant_id)
    wanted = desired_tenant_status(subscription, now)
    if wanted is None or wanted == tenant.status or tenant.status == TenantStatus.DELETED:
        return None
    if wanted not in ALLOWED_TRANSITIONS[tenant.status]:
        # e.g. suspended → past_due: stay suspended until the subscription is paid (active).
        logger.info("tenant %s stays %s (subscription asks %s)", tenant.slug, tenant.status, wanted)
        return None
    transition_tenant(tenant, wanted, actor=actor, reason=reason or f"subscription {subscription.status}")
    subscription.tenant.status = wanted
    return wanted


def _stamp_status_dates(subscription: Subscription, now: datetime) -> None:
    if subscription.status == SS.PAST_DUE:
        subscription.past_due_since = subscription.past_due_since or now
    elif subscription.status in {SS.ACTIVE, SS.TRIALING}:
        subscription.past_due_since = None
    if subscription.status == SS.CANCELED:
        subscription.cancelled_at = subscription.cancelled_at or now
        subscription.delete_after = subscription.delete_after or (
            subscription.cancelled_at + timedelta(days=settings.BILLING_RETENTION_DAYS)
        )
    else:
        subscription.cancelled_at = None
        subscription.delete_after = None


def _record_change(subscription: Subscription, *, actor: str, reason: str, at: datetime) -> SubscriptionChange:
    return SubscriptionChange.objects.create(
        subscription=subscription,
        at=at,
        status=subscription.status,
        plan_id=subscription.plan_id,
        seats=subscription.seats,
        currency=subscription.currency,
        mrr_amount=monthly_amount(subscription),
        actor=actor,
        reason=reason,
    )


def next_period_end(start: datetime, interval: str) -> datetime:
    """The end of a billing period that starts at ``start``."""
    if interval == Interval.YEAR:
        try:
            return start.replace(year=start.year + 1)
        except ValueError:  # 29 February
            return start.replace(year=start.year + 1, day=28)
    month = start.month % 12 + 1
    year = start.year + (start.month == 12)
    day = min(start.day, 28) if month == 2 else min(start.day, 30) if month in {4, 6, 9, 11} else start.day
    return start.replace(year=year, month=month, day=day)
