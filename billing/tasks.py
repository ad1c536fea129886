"""Celery tasks of the billing lifecycle (public schema)."""

from celery import shared_task

from billing.services.lifecycle import advance_subscriptions
from core.mail_retry import mail_task_options


@shared_task(acks_late=True)
def advance_billing_lifecycle() -> int:
    """Hourly: trials ending, renewals, overdue invoices, suspensions, cancellations, deletions.

    Idempotent (each rule reads the state and the clock), so a retried or doubled run is harmless.
    """
    return len(advance_subscriptions())


@shared_task(**mail_task_options())
def open_signup_checkout(subscription_id: int, success_url: str, cancel_url: str, language: str) -> str:
    """Open the payment page of a signup made while Stripe could not be reached, and e-mail its
    link to the signup's admin. Retried while Stripe stays unreachable (``StripeUnavailable`` is
    an ``OSError``, as a mail server's failures are); the call's idempotency key makes every
    attempt the same checkout. Nothing is done once the subscription no longer waits for a card."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.translation import gettext as _

    from billing.choices import SubscriptionStatus
    from billing.models import Subscription
    from billing.providers import provider_for

    subscription = Subscription.objects.select_related("tenant", "plan").filter(pk=subscription_id).first()
    if subscription is None or subscription.status != SubscriptionStatus.INCOMPLETE:
        return "not waiting"
    url = provider_for(subscription).checkout_url(subscription, success_url=success_url, cancel_url=cancel_url)
    if url is None:
        return "no checkout"
    tenant = subscription.tenant
    with translation.override(language):
        send_mail(
            subject=_("Enter your payment details to start %(name)s on Relata") % {"name": tenant.name},
            message=render_to_string(
                "billing/email/checkout_link.txt", {"tenant": tenant, "plan": subscription.plan, "url": url}
            ),
            from_email=None,
            recipient_list=[tenant.pending_admin_email],
        )
    return "sent"
