"""The manual provider: invoices paid by bank transfer, marked paid by the operator.

Nothing is charged automatically. At the start of each billing period an invoice is issued
(``issue_invoice``: seats × the plan's price, due ``BILLING_INVOICE_DUE_DAYS`` later); the
operator records the transfer (``mark_invoice_paid``). The time-driven part (trials ending,
renewals, overdue invoices) is ``billing.services.lifecycle``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.choices import InvoiceStatus, Provider, SubscriptionStatus
from billing.models import Invoice, Plan, Subscription
from billing.services.invoices import next_invoice_number, overdue_invoices, record_billing_audit
from billing.services.subscriptions import price_for, update_subscription

SS = SubscriptionStatus
# A paid invoice lifts these; a cancelled subscription stays cancelled.
REACTIVATED_BY_PAYMENT = frozenset({SS.PAST_DUE, SS.UNPAID, SS.INCOMPLETE})
MAX_REFERENCE_LENGTH = 200  # Invoice.payment_reference


class ManualProvider:
    """Bank transfer: no checkout or portal; changes apply now and show on the next invoice."""

    key = Provider.MANUAL

    def checkout_url(self, subscription: Subscription, *, success_url: str, cancel_url: str) -> str | None:
        return None

    def portal_url(self, subscription: Subscription, *, return_url: str) -> str | None:
        return None

    def change_plan(self, subscription: Subscription, plan: Plan, *, interval: str, actor: str) -> Subscription:
        price_for(plan, subscription.currency, interval)
        return update_subscription(
            subscription, actor=actor, reason=f"plan changed to {plan.key}", plan=plan, interval=interval
        )

    def set_seats(self, subscription: Subscription, seats: int, *, actor: str) -> Subscription:
        if seats < 1:
            raise ValidationError({"seats": [_("A subscription has at least one seat.")]})
        return update_subscription(subscription, actor=actor, reason=f"{seats} seats", seats=seats)

    def cancel(self, subscription: Subscription, *, at_period_end: bool, actor: str) -> Subscription:
        if subscription.status == SS.CANCELED:
            raise ValidationError({"subscription": [_("The subscription is already cancelled.")]})
        if at_period_end:
            return update_subscription(
                subscription, actor=actor, reason="cancel at the end of the period", cancel_at_period_end=True
            )
        return update_subscription(subscription, actor=actor, reason="cancelled", status=SS.CANCELED)


def issue_invoice(subscription: Subscription, *, now: datetime | None = None) -> Invoice:
    """The invoice of the subscription's current period: issued now, or the one already issued."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().select_related("plan", "tenant").get(pk=subscription.pk)
        _check_invoiceable(locked)
        existing = (
            Invoice.objects.filter(
                subscription=locked, provider=Provider.MANUAL, period_start=locked.current_period_start
            )
            .exclude(status=InvoiceStatus.VOID)
            .first()
        )
        if existing is not None:
            return existing
        price = price_for(locked.plan, locked.currency, locked.interval)
        invoice = Invoice.objects.create(
            subscription=locked,
            provider=Provider.MANUAL,
            number=next_invoice_number(now.year),
            status=InvoiceStatus.OPEN,
            currency=locked.currency,
            amount_due=price.seat_amount * locked.seats,
            description=_invoice_description(locked),
            period_start=locked.current_period_start,
            period_end=locked.current_period_end,
            issued_at=now,
            due_at=now + timedelta(days=settings.BILLING_INVOICE_DUE_DAYS),
        )
        record_billing_audit(
            "billing.invoice.issued",
            f"Invoice {invoice.number} issued to {locked.tenant.name}",
            actor="system:billing",
            target=f"invoice:{invoice.number}",
            details={"subscription": locked.pk, "amount_due": invoice.amount_due, "currency": invoice.currency},
        )
    return invoice


def mark_invoice_paid(invoice: Invoice, *, actor: str, reference: str = "") -> Invoice:
    """Record the bank transfer that paid ``invoice``; an overdue subscription becomes active again."""
    reference = (reference or "").strip()
    if len(reference) > MAX_REFERENCE_LENGTH:
        raise ValidationError({"reference": [_("The payment reference is too long.")]})
    now = timezone.now()
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().select_related("subscription").get(pk=invoice.pk)
        if locked.provider != Provider.MANUAL:
            raise ValidationError({"invoice": [_("Card invoices are paid through the card provider.")]})
        if locked.status == InvoiceStatus.PAID:
            raise ValidationError({"invoice": [_("Invoice %(number)s is already paid.") % {"number": locked.number}]})
        if locked.status != InvoiceStatus.OPEN:
            raise ValidationError(
                {"invoice": [_("Invoice %(number)s is not open for payment.") % {"number": locked.number}]}
            )
        locked.status = InvoiceStatus.PAID
        locked.amount_paid = locked.amount_due
        locked.paid_at = now
        locked.marked_paid_by = actor
        locked.payment_reference = reference
        locked.save(
            update_fields=["status", "amount_paid", "paid_at", "marked_paid_by", "payment_reference", "updated_at"]
        )
        subscription = locked.subscription
        if subscription.status in REACTIVATED_BY_PAYMENT and not overdue_invoices(subscription, now).exists():
            update_subscription(
                subscription, actor=actor, reason=f"invoice {locked.number} paid", now=now, status=SS.ACTIVE
            )
        record_billing_audit(
            "billing.invoice.paid",
            f"Invoice {locked.number} marked paid",
            actor=actor,
            target=f"invoice:{locked.number}",
            details={"subscription": subscription.pk, "reference": reference, "amount_paid": locked.amount_paid},
        )
    invoice.refresh_from_db()
    return invoice


def _check_invoiceable(subscription: Subscription) -> None:
    if subscription.provider != Provider.MANUAL:
        raise ValidationError({"subscription": [_("Card subscriptions are invoiced by the card provider.")]})
    if subscription.status == SS.CANCELED:
        raise ValidationError({"subscription": [_("A cancelled subscription is not invoiced.")]})
    if subscription.current_period_start is None or subscription.current_period_end is None:
        raise ValidationError({"subscription": [_("The subscription has no billing period yet (still on trial).")]})


def _invoice_description(subscription: Subscription) -> str:
    """“Growth, 5 seats, 1 Nov 2026 – 1 Dec 2026”, in the tenant's language and time zone."""
    period_start, period_end = subscription.current_period_start, subscription.current_period_end
    if period_start is None or period_end is None:
        return ""
    with translation.override(subscription.tenant.locale), timezone.override(subscription.tenant.time_zone):
        start = formats.date_format(timezone.localtime(period_start), "DATE_FORMAT")
        end = formats.date_format(timezone.localtime(period_end), "DATE_FORMAT")
        seats = ngettext("%(count)d seat", "%(count)d seats", subscription.seats) % {"count": subscription.seats}
        description = _("%(plan)s, %(seats)s, %(start)s – %(end)s") % {
            "plan": subscription.plan.name,
            "seats": seats,
            "start": start,
            "end": end,
        }
    return description[:300]
