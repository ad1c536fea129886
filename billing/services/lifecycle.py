"""The subscription lifecycle over time, run hourly (``billing.tasks.advance_billing_lifecycle``).

    trial ends                 manual: active, first period, invoice issued
    period ends                manual: next period and its invoice (or cancelled, if asked)
    invoice past its due date  manual: past_due (since the due date)
    past_due + grace days      tenant suspended (read-only)
    suspended + N days         subscription cancelled (Stripe's through Stripe), tenant cancelled
    cancelled + retention      tenant deleted: schema, domains and files gone, row kept

Stripe subscriptions follow Stripe (webhooks) for trials, renewals and payments; only the rules
from the grace period on apply to them here. Every rule looks at the state and the clock only, so
a second run at the same instant finds nothing left to do. Each change goes through
``update_subscription`` (history, tenant status) and into the operator's audit log; the e-mails
to the tenant's admins (``billing.emails``) follow the resulting state.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from billing import emails
from billing.choices import Provider, SubscriptionStatus
from billing.models import Subscription
from billing.providers import provider_for
from billing.providers.manual import issue_invoice
from billing.services.invoices import SYSTEM_ACTOR, open_manual_invoices, overdue_invoices, record_billing_audit
from billing.services.subscriptions import (
    desired_tenant_status,
    next_period_end,
    sync_tenant_status,
    update_subscription,
)
from tenants.choices import TenantStatus
from tenants.models import TenantStatusChange
from tenants.services.deletion import purge_tenant

logger = logging.getLogger(__name__)

SS = SubscriptionStatus
RUN_LOCK_KEY = zlib.crc32(b"billing:lifecycle")
# Subscriptions whose tenant is suspended for these reasons count as unpaid.
NON_PAYMENT_STATUSES = frozenset({SS.PAST_DUE, SS.UNPAID})


def advance_subscriptions(now: datetime | None = None) -> list[str]:
    """Move every subscription along by time; returns what was done (one line per step).

    One subscription's failure is logged and does not stop the others; its next run retries.
    """
    now = now or timezone.now()
    done: list[str] = []
    with schema_context(get_public_schema_name()), _single_run() as running:
        if not running:
            logger.info("the billing lifecycle is already running elsewhere")
            return done
        pending = Subscription.objects.exclude(tenant__status=TenantStatus.DELETED).order_by("pk")
        for subscription_id in list(pending.values_list("pk", flat=True)):
            try:
                # Read when its turn comes: a webhook may have changed it while others were handled.
                subscription = Subscription.objects.select_related("tenant", "plan").get(pk=subscription_id)
                done.extend(advance_subscription(subscription, now))
            except Exception:
                logger.exception("billing lifecycle of subscription %s failed", subscription_id)
    return done


def advance_subscription(subscription: Subscription, now: datetime) -> list[str]:
    """Apply each rule that is due for one subscription, then send the e-mails its state calls for."""
    steps: list[Callable[[Subscription, datetime], str | None]] = [
        _end_trial,
        _renew,
        _mark_overdue,
        _suspend_after_grace,
        _cancel_after_suspension,
        _delete_after_retention,
    ]
    done: list[str] = []
    for step in steps:
        result = step(subscription, now)
        if result:
            done.append(f"{subscription.tenant.slug}: {result}")
            record_billing_audit(
                f"billing.lifecycle.{step.__name__.strip('_')}",
                f"{subscription.tenant.name}: {result}",
                actor=SYSTEM_ACTOR,
                target=f"subscription:{subscription.pk}",
                details={"tenant": subscription.tenant.slug, "at": now.isoformat()},
            )
            subscription = Subscription.objects.select_related("tenant", "plan").get(pk=subscription.pk)
    send_due_notices(subscription, now)
    return done


def suspended_since(subscription: Subscription) -> datetime | None:
    """When the subscription's tenant was last suspended."""
    return (
        TenantStatusChange.objects.filter(tenant_id=subscription.tenant_id, to_status=TenantStatus.SUSPENDED)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )


def is_suspended_for_non_payment(subscription: Subscription) -> bool:
    return (
        subscription.tenant.status == TenantStatus.SUSPENDED
        and not subscription.suspended_by_operator
        and subscription.status in NON_PAYMENT_STATUSES
    )


def _end_trial(subscription: Subscription, now: datetime) -> str | None:
    if (
        subscription.provider != Provider.MANUAL
        or subscription.status != SS.TRIALING
        or subscription.trial_ends_at is None
        or subscription.trial_ends_at > now
    ):
        return None
    if subscription.cancel_at_period_end:
        update_subscription(subscription, actor=SYSTEM_ACTOR, reason="trial ended", now=now, status=SS.CANCELED)
        return "trial ended; cancelled as asked"
    start = subscription.trial_ends_at
    with transaction.atomic():
        update_subscription(
            subscription,
            actor=SYSTEM_ACTOR,
            reason="trial ended",
            now=now,
            status=SS.ACTIVE,
            current_period_start=start,
            current_period_end=next_period_end(start, subscription.interval),
        )
        invoice = issue_invoice(subscription, now=now)
    return f"trial ended; invoice {invoice.number} issued"


def _renew(subscription: Subscription, now: datetime) -> str | None:
    period_end = subscription.current_period_end
    if (
        subscription.provider != Provider.MANUAL
        or subscription.status not in {SS.ACTIVE, SS.PAST_DUE}
        or period_end is None
        or period_end > now
    ):
        return None
    if subscription.cancel_at_period_end:
        update_subscription(
            subscription, actor=SYSTEM_ACTOR, reason="cancelled at the end of the period", now=now, status=SS.CANCELED
        )
        return "period ended; cancelled as asked"
    if desired_tenant_status(subscription, now) == TenantStatus.SUSPENDED:
        # No new period while suspended; paying makes it active, and the next run renews.
        return None
    # Periods that passed entirely while nothing could be renewed (suspension) are not billed.
    start = period_end
    end = next_period_end(start, subscription.interval)
    while end <= now:
        start, end = end, next_period_end(end, subscription.interval)
    with transaction.atomic():
        update_subscription(
            subscription,
            actor=SYSTEM_ACTOR,
            reason="renewed",
            now=now,
            current_period_start=start,
            current_period_end=end,
        )
        invoice = issue_invoice(subscription, now=now)
    return f"renewed; invoice {invoice.number} issued"


def _mark_overdue(subscription: Subscription, now: datetime) -> str | None:
    if subscription.provider != Provider.MANUAL or subscription.status not in {SS.ACTIVE, SS.INCOMPLETE}:
        return None
    oldest = overdue_invoices(subscription, now).first()
    if oldest is None:
        return None
    update_subscription(
        subscription,
        actor=SYSTEM_ACTOR,
        reason=f"invoice {oldest.number} unpaid",
        now=now,
        status=SS.PAST_DUE,
        past_due_since=oldest.due_at,
    )
    return f"invoice {oldest.number} overdue; past due"


def _suspend_after_grace(subscription: Subscription, now: datetime) -> str | None:
    if subscription.status != SS.PAST_DUE or subscription.tenant.status != TenantStatus.PAST_DUE:
        return None
    if desired_tenant_status(subscription, now) != TenantStatus.SUSPENDED:
        return None
    with transaction.atomic():
        moved = sync_tenant_status(subscription, actor=SYSTEM_ACTOR, reason="grace period over", now=now)
    return "grace period over; tenant suspended" if moved else None


def _cancel_after_suspension(subscription: Subscription, now: datetime) -> str | None:
    if not is_suspended_for_non_payment(subscription):
        return None
    since = suspended_since(subscription)
    if since is None or since + timedelta(days=settings.BILLING_CANCEL_AFTER_SUSPENDED_DAYS) > now:
        return None
    reason = f"unpaid; suspended since {since:%Y-%m-%d}"
    if subscription.provider == Provider.STRIPE:
        provider_for(subscription).cancel(subscription, at_period_end=False, actor=SYSTEM_ACTOR)
        subscription.refresh_from_db()
    if subscription.status != SS.CANCELED:
        update_subscription(subscription, actor=SYSTEM_ACTOR, reason=reason, now=now, status=SS.CANCELED)
    return "suspended too long; cancelled"


def _delete_after_retention(subscription: Subscription, now: datetime) -> str | None:
    if (
        subscription.status != SS.CANCELED
        or subscription.tenant.status != TenantStatus.CANCELLED
        or subscription.delete_after is None
        or subscription.delete_after > now
    ):
        return None
    purge_tenant(subscription.tenant, actor=SYSTEM_ACTOR, reason="retention period over")
    return "retention period over; tenant deleted"


def send_due_notices(subscription: Subscription, now: datetime) -> int:
    """The e-mails the subscription's state calls for, each sent once; returns how many went out."""
    tenant = subscription.tenant
    if tenant.status == TenantStatus.DELETED or not tenant.is_ready:
        return 0
    notices: list[emails.Notice] = []
    trial_ends_at = subscription.trial_ends_at
    if (
        subscription.status == SS.TRIALING
        and trial_ends_at is not None
        and trial_ends_at - timedelta(days=settings.BILLING_TRIAL_REMINDER_DAYS) <= now < trial_ends_at
    ):
        notices.append(emails.trial_ending_notice(subscription))
    if subscription.provider == Provider.MANUAL and subscription.status != SS.CANCELED:
        for invoice in open_manual_invoices(subscription).order_by("issued_at", "id"):
            invoice.subscription = subscription
            notices.append(emails.invoice_issued_notice(invoice))
    if subscription.status == SS.PAST_DUE and tenant.status == TenantStatus.PAST_DUE:
        notices.append(emails.payment_overdue_notice(subscription, list(overdue_invoices(subscription, now))))
    if is_suspended_for_non_payment(subscription):
        since = suspended_since(subscription)
        if since is not None:
            notices.append(emails.suspended_notice(subscription, since))
    if subscription.status == SS.CANCELED and tenant.status == TenantStatus.CANCELLED:
        notices.append(emails.cancelled_notice(subscription))
    sent = 0
    for notice in notices:
        try:
            sent += emails.send_notice(notice)
        except Exception:
            logger.exception("billing e-mail %s for subscription %s failed", notice.kind, subscription.pk)
    return sent


@contextmanager
def _single_run() -> Iterator[bool]:
    """One lifecycle run at a time across processes (a session advisory lock)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK_KEY])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK_KEY])
