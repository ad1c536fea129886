"""What every page of the app shell needs: tenant, navigation, lifecycle banner, languages."""

from __future__ import annotations

from datetime import datetime, timedelta
from math import ceil
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.choices import SubscriptionStatus
from billing.entitlements import subscription_of
from billing.models import Subscription
from billing.services.subscriptions import grace_ends_at
from crm_platform.settings_navigation import settings_navigation
from modules.registry import enabled_module_keys, navigation
from tenants.choices import TenantStatus
from tenants.middleware import read_only_message
from tenants.models import Tenant

ADMIN_PERMISSION = "settings.manage_tenant"
NON_PAYMENT_STATUSES = frozenset({SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID})


def shell(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_tenant_host = tenant is not None and tenant.schema_name != "public"
    user = getattr(request, "user", None)
    context: dict[str, Any] = {
        "tenant": tenant if is_tenant_host else None,
        "languages": settings.LANGUAGES,
        "nav_sections": [],
        "settings_nav": [],
        "lifecycle_banner": None,
        # Module keys the tenant has, for pages that show a module's parts (e.g. its settings).
        "tenant_modules": enabled_module_keys(tenant) if is_tenant_host else frozenset(),
    }
    if tenant is not None and is_tenant_host and user is not None and user.is_authenticated:
        context["nav_sections"] = navigation(tenant, user)
        # Only settings pages show this menu: built when a template first reads it.
        context["settings_nav"] = SimpleLazyObject(lambda: settings_navigation(tenant, user, request.path))
        context["lifecycle_banner"] = lifecycle_banner(tenant, is_admin=user.has_perm(ADMIN_PERMISSION))
    return context


def lifecycle_banner(tenant: Tenant, *, is_admin: bool) -> dict[str, str] | None:
    """The banner that tells the tenant's users where its subscription stands (None: all is well).

    Reads the subscription once (cached on the tenant object) and only for a tenant not simply active.
    """
    if tenant.status == TenantStatus.ACTIVE:
        return None
    subscription = subscription_of(tenant)
    if tenant.status == TenantStatus.TRIAL:
        return _trial_banner(subscription, is_admin=is_admin)
    if tenant.status == TenantStatus.PAST_DUE:
        return _past_due_banner(subscription, is_admin=is_admin)
    if tenant.status == TenantStatus.SUSPENDED:
        return _suspended_banner(tenant, subscription, is_admin=is_admin)
    if tenant.status == TenantStatus.CANCELLED:
        return _cancelled_banner(tenant, subscription, is_admin=is_admin)
    return None


def _trial_banner(subscription: Subscription | None, *, is_admin: bool) -> dict[str, str] | None:
    if subscription is None or subscription.status != SubscriptionStatus.TRIALING:
        return None
    ends_at = subscription.trial_ends_at
    if ends_at is None:
        message = _("You are on a free trial.")
    else:
        days = max(0, ceil((ends_at - timezone.now()) / timedelta(days=1)))
        message = ngettext(
            "Your free trial ends in %(days)d day (%(date)s).",
            "Your free trial ends in %(days)d days (%(date)s).",
            days,
        ) % {"days": days, "date": _date(ends_at)}
    return _banner("info", message, _link("billing-settings:overview", _("Choose a plan")) if is_admin else None)


def _past_due_banner(subscription: Subscription | None, *, is_admin: bool) -> dict[str, str]:
    grace_end = grace_ends_at(subscription) if subscription is not None else None
    if grace_end is None:
        message = _("Your subscription payment is overdue. Please pay the open invoice.")
    else:
        message = _(
            "Your subscription payment is overdue. Please pay by %(date)s; after that the workspace becomes read-only."
        ) % {"date": _date(grace_end)}
    return _banner("warning", message, _link("billing-settings:overview", _("See how to pay")) if is_admin else None)


def _suspended_banner(tenant: Tenant, subscription: Subscription | None, *, is_admin: bool) -> dict[str, str]:
    message = read_only_message(tenant)
    link = None
    if subscription is not None and _is_unpaid(subscription):
        message = " ".join(
            [message, _("A payment is overdue; everything works again as soon as the open invoice is paid.")]
        )
        link = _link("billing-settings:overview", _("See how to pay")) if is_admin else None
    return _banner("danger", message, link)


def _cancelled_banner(tenant: Tenant, subscription: Subscription | None, *, is_admin: bool) -> dict[str, str]:
    message = read_only_message(tenant)
    if subscription is not None and subscription.delete_after is not None:
        message = " ".join(
            [message, _("Your data is kept until %(date)s.") % {"date": _date(subscription.delete_after)}]
        )
    return _banner("danger", message, _link("exports:tenant", _("Export all data")) if is_admin else None)


def _is_unpaid(subscription: Subscription) -> bool:
    """Suspended for non-payment (not by the operator)."""
    return subscription.status in NON_PAYMENT_STATUSES and not subscription.suspended_by_operator


def _banner(level: str, message: str, link: tuple[str, str] | None) -> dict[str, str]:
    url, label = link or ("", "")
    return {"level": level, "message": message, "link_url": url, "link_label": label}


def _link(viewname: str, label: str) -> tuple[str, str] | None:
    """(url, label) for a page of the tenant's host, or None while the page does not exist."""
    try:
        return reverse(viewname), label
    except NoReverseMatch:
        return None


def _date(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")
