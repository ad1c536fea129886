"""Signing a company up: the tenant request and its subscription, written together or not at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from billing.choices import SubscriptionStatus
from billing.models import Plan, Subscription
from billing.providers import provider_for
from billing.services.subscriptions import start_subscription
from billing.stripe_api import StripeCallFailed, StripeUnavailable
from billing.tasks import open_signup_checkout
from crm_platform.signup.pricing import card_required
from identity.services.audit import record_audit
from tenants.models import Tenant
from tenants.services.provisioning import TenantRequest, request_tenant
from tenants.tasks import provision_tenant_task
from tenants.validators import schema_name_for_slug

# Signups one client address may make per window; more are refused with 429.
SIGNUPS_PER_ADDRESS = 5
SIGNUP_WINDOW_SECONDS = 60 * 60


class CheckoutUnavailable(Exception):
    """The payment provider refused to open its checkout page; the signup was not recorded."""


@dataclass(frozen=True)
class Signup:
    name: str
    slug: str
    admin_email: str
    password: str
    plan: Plan
    currency: str
    interval: str
    locale: str


@dataclass(frozen=True)
class SignupResult:
    subscription: Subscription
    # Where the customer enters payment details before anything is built; None when provisioning
    # was queued at once, or when the provider could not be reached (``checkout_queued``).
    checkout_url: str | None
    # The provider was unreachable: the signup is kept and the payment page's link is e-mailed to
    # the admin once the provider answers (``billing.tasks.open_signup_checkout``).
    checkout_queued: bool = False

    @property
    def tenant(self) -> Tenant:
        return self.subscription.tenant


def sign_up(
    signup: Signup,
    *,
    provider: str,
    success_url: Callable[[Tenant], str],
    cancel_url: str,
    ip_address: str | None = None,
) -> SignupResult:
    """Record the tenant, start its subscription and either queue provisioning (after commit) or hand
    back the provider's checkout page. Raises ValidationError keyed by signup field; then nothing is
    written."""
    plan = signup.plan
    needs_card = card_required(plan, provider)
    try:
        with transaction.atomic():
            tenant = request_tenant(
                TenantRequest(
                    name=signup.name,
                    slug=signup.slug,
                    admin_email=signup.admin_email,
                    admin_password=signup.password,
                    locale=signup.locale,
                    currency=signup.currency,
                )
            )
            subscription = start_subscription(
                tenant,
                plan,
                provider=provider,
                currency=signup.currency,
                interval=signup.interval,
                trial=plan.trial_days > 0,
                # The provider confirms the card (its webhook starts provisioning then).
                status=SubscriptionStatus.INCOMPLETE if needs_card else None,
                actor=tenant.pending_admin_email,
            )
            record_audit(
                "tenant.signed_up",
                _("%(company)s signed up for %(plan)s at %(host)s")
                % {"company": tenant.name, "plan": plan.name, "host": tenant.primary_host},
                actor=tenant.pending_admin_email,
                target=f"tenant:{tenant.slug}",
                details={"plan": plan.key, "currency": signup.currency, "interval": signup.interval},
                ip_address=ip_address,
            )
            checkout_url = None
            checkout_queued = False
            if needs_card:
                # Inside the transaction: if the provider refuses, nothing stays behind. If it
                # cannot be reached, the signup is kept and the checkout is opened by a task
                # that retries until the provider answers, then mails its link.
                try:
                    checkout_url = provider_for(subscription).checkout_url(
                        subscription, success_url=success_url(tenant), cancel_url=cancel_url
                    )
                except StripeUnavailable:
                    checkout_queued = True
                    subscription_id, success, language = subscription.pk, success_url(tenant), signup.locale
                    transaction.on_commit(
                        lambda: open_signup_checkout.delay(subscription_id, success, cancel_url, language)
                    )
                except StripeCallFailed as error:
                    raise CheckoutUnavailable(str(error)) from error
            if checkout_url is None and not checkout_queued:
                tenant_id = tenant.pk
                transaction.on_commit(lambda: provision_tenant_task.delay(tenant_id))
    except IntegrityError:
        # Another signup took the subdomain between our check and our insert.
        if not _slug_taken(signup.slug):
            raise
        raise ValidationError({"slug": [_("“%(slug)s” has just been taken.") % {"slug": signup.slug}]}) from None
    return SignupResult(subscription=subscription, checkout_url=checkout_url, checkout_queued=checkout_queued)


def _slug_taken(slug: str) -> bool:
    return (
        Tenant.objects.filter(slug=slug).exists()
        or Tenant.objects.filter(schema_name=schema_name_for_slug(slug)).exists()
    )


def signup_allowed(ip_address: str) -> bool:
    """Whether the address may sign up once more in this window."""
    return int(cache.get(_throttle_key(ip_address), 0)) < SIGNUPS_PER_ADDRESS


def count_signup(ip_address: str) -> None:
    key = _throttle_key(ip_address)
    if not cache.add(key, 1, timeout=SIGNUP_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=SIGNUP_WINDOW_SECONDS)


def _throttle_key(ip_address: str) -> str:
    return f"signup:address:{ip_address}"
