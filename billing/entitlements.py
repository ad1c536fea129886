"""What a tenant's subscription entitles it to: modules and limits (plan plus operator overrides).

The effective module set and limits are also written to ``Tenant.enabled_modules`` and
``Tenant.plan_limits`` whenever they change (``apply_entitlements``), so ``modules.registry`` and the
API's daily quota answer from the tenant row alone, without a query per request. A tenant without a
subscription (created by the operator's command or by tests) keeps the modules set on it and has no
limits.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from billing.models import Plan, Subscription
from tenants.models import Tenant

LIMIT_KEYS = (
    "seat_limit",
    "record_limit",
    "api_requests_per_day",
    "storage_limit_mb",
    "workflow_runs_per_month",
    "marketing_emails_per_month",
)


@dataclass(frozen=True)
class Entitlements:
    plan_key: str | None
    plan_name: str | None
    modules: frozenset[str]
    # None means no limit.
    seat_limit: int | None = None
    record_limit: int | None = None
    api_requests_per_day: int | None = None
    storage_limit_mb: int | None = None
    workflow_runs_per_month: int | None = None
    marketing_emails_per_month: int | None = None

    @property
    def storage_limit_bytes(self) -> int | None:
        return None if self.storage_limit_mb is None else self.storage_limit_mb * 1024 * 1024


def subscription_of(tenant: Tenant) -> Subscription | None:
    """The tenant's subscription with its plan, read once per tenant object."""
    cached = getattr(tenant, "_billing_subscription", ...)
    if cached is ...:
        cached = Subscription.objects.select_related("plan").filter(tenant_id=tenant.pk).first()
        tenant._billing_subscription = cached  # type: ignore[attr-defined]
    return cached


def forget_subscription(tenant: Tenant) -> None:
    tenant.__dict__.pop("_billing_subscription", None)


def plan_modules(plan: Plan, overrides: dict[str, list[str]] | None = None) -> list[str]:
    """The optional modules a plan gives, after the operator's additions and removals."""
    from modules.registry import OPTIONAL_MODULE_KEYS

    overrides = overrides or {}
    chosen = (set(plan.modules) | set(overrides.get("add", ()))) - set(overrides.get("remove", ()))
    return [key for key in OPTIONAL_MODULE_KEYS if key in chosen]


def entitlements_for(tenant: Tenant) -> Entitlements:
    from modules.registry import enabled_module_keys

    subscription = subscription_of(tenant)
    if subscription is None:
        return Entitlements(plan_key=None, plan_name=None, modules=enabled_module_keys(tenant))
    limits = subscription_limits(subscription)
    return Entitlements(
        plan_key=subscription.plan.key,
        plan_name=subscription.plan.name,
        modules=enabled_module_keys(tenant),
        **limits,
    )


def subscription_limits(subscription: Subscription) -> dict[str, int | None]:
    """The plan's limits after the operator's overrides (None: no limit)."""
    limits: dict[str, int | None] = {key: getattr(subscription.plan, key) for key in LIMIT_KEYS}
    for key, value in (subscription.limit_overrides or {}).items():
        if key in LIMIT_KEYS:
            limits[key] = None if value is None else int(value)
    return limits


def apply_entitlements(subscription: Subscription) -> list[str]:
    """Write the subscription's module set and limits to its tenant row; returns the module keys."""
    modules = plan_modules(subscription.plan, subscription.module_overrides)
    limits = subscription_limits(subscription)
    with transaction.atomic():
        Tenant.objects.filter(pk=subscription.tenant_id).update(enabled_modules=modules, plan_limits=limits)
    tenant = subscription.tenant
    tenant.enabled_modules = modules
    tenant.plan_limits = limits
    forget_subscription(tenant)
    return modules
