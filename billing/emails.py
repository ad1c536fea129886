"""E-mails to a tenant's administrators about its subscription: the trial ending, an invoice to pay,
a payment overdue, the suspension, the cancellation.

Each goes out once per subscription and occasion (the trial's end, the invoice's period, the day
the payment fell due, ...): the operator's audit log (public schema) records every sending as
``billing.email.<kind>`` on ``subscription:<id>:<occasion>``, and is read before sending. The entry
is written only after the mail left, so a failed sending is tried again on the next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from billing.bank_details import platform_bank_details
from billing.choices import Provider
from billing.models import Invoice, Subscription
from billing.money import to_major
from billing.services.invoices import SYSTEM_ACTOR, record_billing_audit
from billing.services.subscriptions import grace_ends_at
from identity.models import AuditEntry, User
from identity.services.accounts import users_with_permission
from tenants.models import Tenant

logger = logging.getLogger(__name__)

ADMIN_PERMISSION = "settings.manage_tenant"
TRIAL_ENDING = "trial_ending"
INVOICE_ISSUED = "invoice_issued"
PAYMENT_OVERDUE = "payment_overdue"
SUSPENDED = "suspended"
CANCELLED = "cancelled"
KINDS = (TRIAL_ENDING, INVOICE_ISSUED, PAYMENT_OVERDUE, SUSPENDED, CANCELLED)


@dataclass(frozen=True)
class Notice:
    kind: str
    subscription: Subscription
    # What makes this sending unique for the subscription: a date or a period.
    occasion: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def action(self) -> str:
        return f"billing.email.{self.kind}"

    @property
    def target(self) -> str:
        return f"subscription:{self.subscription.pk}:{self.occasion}"


def tenant_admins(tenant: Tenant) -> list[User]:
    """Active users of the tenant whose role manages the company settings."""
    with tenant_context(tenant):
        return users_with_permission(ADMIN_PERMISSION)


def tenant_url(tenant: Tenant, viewname: str) -> str:
    """An absolute link to a page of the tenant's host, or "" when the page does not exist."""
    try:
        path = reverse(viewname, urlconf=settings.ROOT_URLCONF)
    except NoReverseMatch:
        return ""
    scheme = "https" if settings.SESSION_COOKIE_SECURE else "http"
    return f"{scheme}://{tenant.primary_host}{path}"


def was_sent(notice: Notice) -> bool:
    with schema_context(get_public_schema_name()):
        return AuditEntry.objects.filter(action=notice.action, target=notice.target).exists()


def send_notice(notice: Notice) -> int:
    """E-mail each admin of the subscription's tenant (in their language) unless this notice went
    out already; returns how many e-mails were sent."""
    if was_sent(notice):
        return 0
    tenant = notice.subscription.tenant
    admins = tenant_admins(tenant)
    context = {
        "tenant": tenant,
        "subscription": notice.subscription,
        "plan": notice.subscription.plan,
        "billing_url": tenant_url(tenant, "billing-settings:overview"),
        **notice.context,
    }
    for admin in admins:
        with translation.override(admin.locale or tenant.locale), timezone.override(tenant.time_zone):
            EmailMessage(
                subject=_subject(notice.kind, tenant, notice.context),
                body=render_to_string(f"billing/email/{notice.kind}.txt", {**context, "admin": admin}),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[admin.email],
            ).send(fail_silently=False)
    record_billing_audit(
        notice.action,
        f"Sent the {notice.kind.replace('_', ' ')} e-mail about {tenant.name} to {len(admins)} admins",
        actor=SYSTEM_ACTOR,
        target=notice.target,
        details={"recipients": [admin.email for admin in admins]},
    )
    logger.info("billing e-mail %s sent to %s admins of %s", notice.kind, len(admins), tenant.slug)
    return len(admins)


def trial_ending_notice(subscription: Subscription) -> Notice:
    assert subscription.trial_ends_at is not None  # noqa: S101 (only trials are reminded)
    return Notice(
        TRIAL_ENDING,
        subscription,
        occasion=subscription.trial_ends_at.date().isoformat(),
        context={"trial_ends_at": subscription.trial_ends_at, "is_manual": subscription.provider == Provider.MANUAL},
    )


def invoice_issued_notice(invoice: Invoice) -> Notice:
    period = invoice.period_start.date().isoformat() if invoice.period_start else invoice.number
    return Notice(
        INVOICE_ISSUED,
        invoice.subscription,
        occasion=period,
        context={
            "invoice": invoice,
            "amount": to_major(invoice.amount_due),
            "bank_details": platform_bank_details(),
        },
    )


def payment_overdue_notice(subscription: Subscription, overdue: list[Invoice]) -> Notice:
    assert subscription.past_due_since is not None  # noqa: S101 (only past-due subscriptions are overdue)
    return Notice(
        PAYMENT_OVERDUE,
        subscription,
        occasion=subscription.past_due_since.date().isoformat(),
        context={
            "invoices": [(invoice, to_major(invoice.amount_due)) for invoice in overdue],
            "grace_ends_at": grace_ends_at(subscription),
            "bank_details": platform_bank_details(),
            "is_manual": subscription.provider == Provider.MANUAL,
        },
    )


def suspended_notice(subscription: Subscription, since: datetime) -> Notice:
    return Notice(
        SUSPENDED,
        subscription,
        occasion=since.date().isoformat(),
        context={
            "cancel_at": since + timedelta(days=settings.BILLING_CANCEL_AFTER_SUSPENDED_DAYS),
            "bank_details": platform_bank_details(),
            "is_manual": subscription.provider == Provider.MANUAL,
        },
    )


def cancelled_notice(subscription: Subscription) -> Notice:
    assert subscription.cancelled_at is not None  # noqa: S101 (only cancelled subscriptions)
    return Notice(
        CANCELLED,
        subscription,
        occasion=subscription.cancelled_at.date().isoformat(),
        context={
            "delete_after": subscription.delete_after,
            "export_url": tenant_url(subscription.tenant, "exports:tenant"),
        },
    )


def _subject(kind: str, tenant: Tenant, context: dict[str, Any]) -> str:
    values = {"name": tenant.name}
    if kind == TRIAL_ENDING:
        return _("Your Relata trial for %(name)s ends soon") % values
    if kind == INVOICE_ISSUED:
        return _("Invoice %(number)s for %(name)s") % {**values, "number": context["invoice"].number}
    if kind == PAYMENT_OVERDUE:
        return _("Payment overdue for %(name)s") % values
    if kind == SUSPENDED:
        return _("%(name)s is suspended: payment needed") % values
    return _("The subscription of %(name)s is cancelled") % values
