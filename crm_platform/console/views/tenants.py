"""The console's tenants: the searchable list (the console's home) and one tenant's page."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django_tenants.utils import schema_exists, tenant_context

from billing.choices import SubscriptionStatus
from billing.models import Subscription
from billing.usage import Usage, usage_for
from crm_platform.console.access import operator_required
from crm_platform.console.forms_tenants import (
    NO_PLAN,
    ChangePlanForm,
    DeleteTenantForm,
    ExtendTrialForm,
    ImpersonateForm,
    OptionalReasonForm,
    ReasonForm,
    TenantFilterForm,
)
from crm_platform.console.health import pending_migrations
from identity.models import AuditEntry, User
from tenants.choices import TenantStatus
from tenants.models import Tenant

PAGE_SIZE = 25
RECENT = 20


def console_tenants() -> QuerySet[Tenant]:
    """Tenants an operator manages: not the public tenant, not the hidden template."""
    return Tenant.objects.exclude(schema_name="public").exclude(is_template=True)


def get_console_tenant(key: str) -> Tenant:
    """A tenant by slug, or by primary key when ``key`` is a number; 404 otherwise."""
    lookup = {"pk": int(key)} if key.isdigit() else {"slug": key}
    tenant = console_tenants().filter(**lookup).first()
    if tenant is None:
        raise Http404
    return tenant


@operator_required
def tenant_list(request: HttpRequest) -> HttpResponse:
    form = TenantFilterForm(request.GET or None)
    tenants = console_tenants().select_related("subscription__plan").order_by("-created_at", "-pk")
    if form.is_valid():
        query, status, plan = (form.cleaned_data[key] for key in ("q", "status", "plan"))
        if query:
            matching_domains = Tenant.objects.filter(domains__domain__icontains=query).values("pk")
            tenants = tenants.filter(Q(name__icontains=query) | Q(slug__icontains=query) | Q(pk__in=matching_domains))
        if status:
            tenants = tenants.filter(status=status)
        if plan == NO_PLAN:
            tenants = tenants.filter(subscription__isnull=True)
        elif plan:
            tenants = tenants.filter(subscription__plan__key=plan)
    page = Paginator(tenants, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "console/tenants/list.html",
        {"form": form, "page": page, "filters": filters.urlencode()},
    )


def tenant_users(tenant: Tenant) -> list[User]:
    """The tenant's people, read in its own schema (none while it has no live schema)."""
    if not tenant.is_ready or tenant.status == TenantStatus.DELETED or not schema_exists(tenant.schema_name):
        return []
    with tenant_context(tenant):
        return list(User.objects.select_related("role").order_by("email"))


def _usage(tenant: Tenant) -> Usage | None:
    if not tenant.is_ready or tenant.status == TenantStatus.DELETED:
        return None
    return usage_for(tenant)


def impersonation_choices(users: list[User]) -> list[tuple[str, str]]:
    """The tenant's users an operator may sign in as: the active ones."""
    return [(user.email, f"{user} <{user.email}>") for user in users if user.is_active]


def action_forms(
    tenant: Tenant, subscription: Subscription | None, users: list[User], **bound: forms.Form
) -> dict[str, forms.Form]:
    """The forms of the tenant page, blank except those an action sent back with errors."""
    blank: dict[str, forms.Form] = {
        "provision_form": forms.Form(),
        "suspend_form": ReasonForm(prefix="suspend"),
        "resume_form": OptionalReasonForm(prefix="resume"),
        "trial_form": ExtendTrialForm(prefix="trial"),
        "plan_form": ChangePlanForm(
            prefix="plan",
            initial={
                "plan": subscription.plan.key if subscription else None,
                "add_modules": (subscription.module_overrides or {}).get("add", []) if subscription else [],
                "remove_modules": (subscription.module_overrides or {}).get("remove", []) if subscription else [],
            },
        ),
        "delete_form": DeleteTenantForm(prefix="delete", slug=tenant.slug),
        "impersonate_form": ImpersonateForm(prefix="impersonate", users=impersonation_choices(users)),
    }
    return {**blank, **bound}


def shown_actions(tenant: Tenant, subscription: Subscription | None, users: list[User]) -> dict[str, bool]:
    """Which action forms the tenant's page offers in the tenant's present state."""
    live = tenant.status != TenantStatus.DELETED
    suspended = tenant.status == TenantStatus.SUSPENDED or bool(subscription and subscription.suspended_by_operator)
    return {
        "provision_form": False,  # a button without fields: its errors go to the top of the page
        "suspend_form": live and not suspended,
        "resume_form": live and suspended,
        "trial_form": live and bool(subscription and subscription.status == SubscriptionStatus.TRIALING),
        "plan_form": live,
        "delete_form": live,
        "impersonate_form": live and tenant.is_ready and any(user.is_active for user in users),
    }


def render_tenant(
    request: HttpRequest,
    tenant: Tenant,
    *,
    status: int = 200,
    users: list[User] | None = None,
    bound: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    """The tenant's page; ``bound`` are forms an action sent back with their errors, by name."""
    subscription = Subscription.objects.select_related("plan").filter(tenant=tenant).first()
    users = tenant_users(tenant) if users is None else users
    exists = schema_exists(tenant.schema_name)
    shown = shown_actions(tenant, subscription, users)
    bound = bound or {}
    context = {
        "tenant": tenant,
        "subscription": subscription,
        "status_changes": tenant.status_changes.all()[:RECENT],
        "usage": _usage(tenant),
        "domains": tenant.domains.all(),
        "schema_exists": exists,
        "pending_migrations": pending_migrations(tenant.schema_name) if exists else [],
        "users": users,
        "audit_entries": AuditEntry.objects.filter(target=f"tenant:{tenant.slug}")[:RECENT],
        "is_deleted": tenant.status == TenantStatus.DELETED,
        "shown": shown,
        # Errors of an action whose form the tenant's state hides (e.g. suspending a suspended tenant).
        "hidden_errors": [
            error
            for name, form in bound.items()
            if not shown[name]
            for errors in form.errors.values()
            for error in errors
        ],
        **action_forms(tenant, subscription, users, **bound),
    }
    return render(request, "console/tenants/detail.html", context, status=status)


@operator_required
def tenant_detail(request: HttpRequest, key: str) -> HttpResponse:
    return render_tenant(request, get_console_tenant(key))
