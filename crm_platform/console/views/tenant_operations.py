"""What an operator does to a tenant from the console. Each operation checks that it makes sense
for the tenant's state (a ValidationError with a message otherwise), changes the tenant through the
lifecycle or subscription services, and writes the console's audit entry in the same transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tenants.utils import tenant_context

from billing.choices import Currency, Provider, SubscriptionStatus
from billing.models import Plan, Subscription
from billing.providers import provider_for
from billing.services.subscriptions import price_for, start_subscription, update_subscription
from identity.models import AuditEntry, User
from identity.services.audit import record_audit
from tenants.choices import TenantStatus
from tenants.models import Tenant
from tenants.services.deletion import purge_tenant
from tenants.services.lifecycle import ALLOWED_TRANSITIONS, InvalidTransition, transition_tenant
from tenants.tasks import provision_tenant_task


def audit_tenant(
    tenant: Tenant, action: str, summary: str, *, actor: str, ip_address: str | None = None, **details: Any
) -> AuditEntry:
    """An entry in the console's audit log (public schema) about ``tenant``."""
    return record_audit(
        action,
        summary,
        actor=actor,
        actor_kind=AuditEntry.ActorKind.OPERATOR,
        target=f"tenant:{tenant.slug}",
        details=details,
        ip_address=ip_address,
    )


def _subscription(tenant: Tenant) -> Subscription | None:
    return Subscription.objects.select_related("plan").filter(tenant=tenant).first()


def _refuse_if_deleted(tenant: Tenant) -> None:
    if tenant.status == TenantStatus.DELETED:
        raise ValidationError(_("%(tenant)s is deleted; nothing can be changed.") % {"tenant": tenant.name})


def _transition_message(error: InvalidTransition) -> str:
    return _("A tenant cannot go from “%(from)s” to “%(to)s”.") % {
        "from": TenantStatus(error.from_status).label,
        "to": TenantStatus(error.to_status).label,
    }


def queue_provisioning(tenant: Tenant, *, actor: str, ip_address: str | None = None) -> None:
    """Queue (or resume) building the tenant's schema; provisioning is resumable and idempotent."""
    if tenant.is_ready:
        raise ValidationError(_("%(tenant)s is already provisioned.") % {"tenant": tenant.name})
    _refuse_if_deleted(tenant)
    with transaction.atomic():
        audit_tenant(
            tenant,
            "tenant.provision",
            _("Provisioning of %(tenant)s queued from step “%(state)s”.")
            % {"tenant": tenant.name, "state": tenant.get_provisioning_state_display()},
            actor=actor,
            ip_address=ip_address,
            state=tenant.provisioning_state,
        )
        tenant_id = tenant.pk
        transaction.on_commit(lambda: provision_tenant_task.delay(tenant_id))


def suspend_tenant(tenant: Tenant, *, actor: str, reason: str, ip_address: str | None = None) -> None:
    """Make the tenant read-only until an operator resumes it (wins over the billing provider)."""
    _refuse_if_deleted(tenant)
    subscription = _subscription(tenant)
    already = subscription.suspended_by_operator if subscription else tenant.status == TenantStatus.SUSPENDED
    if already:
        raise ValidationError(_("%(tenant)s is already suspended.") % {"tenant": tenant.name})
    if tenant.status != TenantStatus.SUSPENDED and TenantStatus.SUSPENDED not in ALLOWED_TRANSITIONS[tenant.status]:
        raise ValidationError(_transition_message(InvalidTransition(tenant.status, TenantStatus.SUSPENDED)))
    with transaction.atomic():
        if subscription is not None:
            update_subscription(subscription, actor=actor, reason=reason, suspended_by_operator=True)
        else:
            transition_tenant(tenant, TenantStatus.SUSPENDED, actor=actor, reason=reason)
        audit_tenant(
            tenant,
            "tenant.suspend",
            _("%(tenant)s suspended: %(reason)s") % {"tenant": tenant.name, "reason": reason},
            actor=actor,
            ip_address=ip_address,
            reason=reason,
        )
    tenant.refresh_from_db()


def resume_tenant(tenant: Tenant, *, actor: str, reason: str = "", ip_address: str | None = None) -> str:
    """Lift an operator's suspension; returns the tenant's status afterwards (billing may keep it
    suspended, e.g. for an unpaid subscription)."""
    _refuse_if_deleted(tenant)
    subscription = _subscription(tenant)
    suspended = subscription.suspended_by_operator if subscription else tenant.status == TenantStatus.SUSPENDED
    if not suspended:
        raise ValidationError(_("%(tenant)s is not suspended by an operator.") % {"tenant": tenant.name})
    reason = reason or _("resumed by an operator")
    with transaction.atomic():
        if subscription is not None:
            update_subscription(subscription, actor=actor, reason=reason, suspended_by_operator=False)
        else:
            transition_tenant(tenant, TenantStatus.ACTIVE, actor=actor, reason=reason)
        tenant.refresh_from_db()
        audit_tenant(
            tenant,
            "tenant.resume",
            _("%(tenant)s resumed (now %(status)s): %(reason)s")
            % {"tenant": tenant.name, "status": tenant.get_status_display(), "reason": reason},
            actor=actor,
            ip_address=ip_address,
            reason=reason,
            status=tenant.status,
        )
    return tenant.status


def extend_trial(
    tenant: Tenant, *, actor: str, days: int, now: datetime | None = None, ip_address: str | None = None
) -> datetime:
    """Push the end of the tenant's trial ``days`` further; returns the new end."""
    _refuse_if_deleted(tenant)
    now = now or timezone.now()
    subscription = _subscription(tenant)
    if subscription is None or subscription.status != SubscriptionStatus.TRIALING:
        raise ValidationError({"days": [_("Only a subscription in its trial can have its trial extended.")]})
    ends_at = max(subscription.trial_ends_at or now, now) + timedelta(days=days)
    with transaction.atomic():
        update_subscription(subscription, actor=actor, reason=_("trial extended"), now=now, trial_ends_at=ends_at)
        audit_tenant(
            tenant,
            "tenant.extend_trial",
            ngettext(
                "Trial of %(tenant)s extended by %(days)d day to %(date)s.",
                "Trial of %(tenant)s extended by %(days)d days to %(date)s.",
                days,
            )
            % {"tenant": tenant.name, "days": days, "date": ends_at.date().isoformat()},
            actor=actor,
            ip_address=ip_address,
            days=days,
            trial_ends_at=ends_at.isoformat(),
        )
    return ends_at


def _active_user_count(tenant: Tenant) -> int:
    if not tenant.is_ready:
        return 1
    with tenant_context(tenant):
        return User.objects.filter(is_active=True).count()


def change_plan(
    tenant: Tenant,
    *,
    actor: str,
    plan: Plan,
    module_overrides: dict[str, list[str]],
    reason: str = "",
    ip_address: str | None = None,
) -> Subscription:
    """Move the tenant to ``plan`` with the operator's module overrides; a tenant without a
    subscription gets one billed by invoice (the manual provider)."""
    _refuse_if_deleted(tenant)
    subscription = _subscription(tenant)
    previous = subscription.plan.name if subscription else None
    reason = reason or _("plan changed by an operator")
    with transaction.atomic():
        if subscription is None:
            currency = tenant.currency if tenant.currency in Currency.values else Currency.EUR
            subscription = start_subscription(
                tenant,
                plan,
                provider=Provider.MANUAL,
                currency=currency,
                seats=max(1, _active_user_count(tenant)),
                trial=tenant.status == TenantStatus.TRIAL,
                actor=actor,
            )
            subscription = update_subscription(
                subscription, actor=actor, reason=reason, module_overrides=module_overrides
            )
        else:
            price_for(plan, subscription.currency, subscription.interval)  # the plan must bill as it does now
            subscription = update_subscription(
                subscription, actor=actor, reason=reason, plan=plan, module_overrides=module_overrides
            )
        audit_tenant(
            tenant,
            "tenant.change_plan",
            _("%(tenant)s moved from %(previous)s to the %(plan)s plan.")
            % {"tenant": tenant.name, "previous": previous or _("no plan"), "plan": plan.name},
            actor=actor,
            ip_address=ip_address,
            plan=plan.key,
            previous_plan=previous,
            module_overrides=module_overrides,
            reason=reason,
        )
    return subscription


def delete_tenant(tenant: Tenant, *, actor: str, reason: str = "") -> Tenant:
    """Delete the tenant's data for good: cancel what still runs (the subscription through its
    provider, so nothing is charged any more), then purge the schema, files and domains. The row
    stays, with its history; purging writes the audit entry. Safe to repeat after a failure."""
    if tenant.status == TenantStatus.DELETED:
        raise ValidationError(_("%(tenant)s is already deleted.") % {"tenant": tenant.name})
    reason = reason or _("deleted by an operator")
    subscription = _subscription(tenant)
    if subscription is not None and subscription.status != SubscriptionStatus.CANCELED:
        provider_for(subscription).cancel(subscription, at_period_end=False, actor=actor)
        tenant.refresh_from_db()
    if tenant.status != TenantStatus.CANCELLED:
        try:
            transition_tenant(tenant, TenantStatus.CANCELLED, actor=actor, reason=reason)
        except InvalidTransition as error:
            raise ValidationError(_transition_message(error)) from None
    return purge_tenant(tenant, actor=actor, reason=reason)
