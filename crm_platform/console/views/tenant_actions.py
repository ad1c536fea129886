"""The actions on a tenant's console page (POST only). A form with errors, or an operation the
tenant's state does not allow, sends the page back with a 400 and the message on the field."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_platform.console.access import operator_actor, operator_required
from crm_platform.console.forms_tenants import (
    ChangePlanForm,
    DeleteTenantForm,
    ExtendTrialForm,
    OptionalReasonForm,
    ReasonForm,
)
from crm_platform.console.views import tenant_operations as operations
from crm_platform.console.views.tenants import get_console_tenant, render_tenant
from identity.client_address import client_address
from identity.forms import apply_service_errors
from tenants.choices import TenantStatus
from tenants.models import Tenant


def _ip(request: HttpRequest) -> str | None:
    return client_address(request) or None


def _run(
    request: HttpRequest,
    tenant: Tenant,
    form_name: str,
    form: forms.Form,
    operation: Callable[[], str],
) -> HttpResponse:
    """Validate ``form``, run ``operation`` (returns the success message), then back to the tenant."""
    if form.is_valid():
        try:
            message = operation()
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("console:tenant", key=tenant.slug)
    return render_tenant(request, tenant, status=400, bound={form_name: form})


@operator_required
@require_POST
def tenant_provision(request: HttpRequest, key: str) -> HttpResponse:
    tenant = get_console_tenant(key)
    form = forms.Form(request.POST)

    def provision() -> str:
        operations.queue_provisioning(tenant, actor=operator_actor(request), ip_address=_ip(request))
        return _("Provisioning of %(tenant)s is queued.") % {"tenant": tenant.name}

    return _run(request, tenant, "provision_form", form, provision)


@operator_required
@require_POST
def tenant_suspend(request: HttpRequest, key: str) -> HttpResponse:
    tenant = get_console_tenant(key)
    form = ReasonForm(request.POST, prefix="suspend")

    def suspend() -> str:
        reason = form.cleaned_data["reason"]
        operations.suspend_tenant(tenant, actor=operator_actor(request), reason=reason, ip_address=_ip(request))
        return _("%(tenant)s is suspended: its users can read but not change anything.") % {"tenant": tenant.name}

    return _run(request, tenant, "suspend_form", form, suspend)


@operator_required
@require_POST
def tenant_resume(request: HttpRequest, key: str) -> HttpResponse:
    tenant = get_console_tenant(key)
    form = OptionalReasonForm(request.POST, prefix="resume")

    def resume() -> str:
        status = operations.resume_tenant(
            tenant, actor=operator_actor(request), reason=form.cleaned_data["reason"], ip_address=_ip(request)
        )
        if status == TenantStatus.SUSPENDED:
            messages.warning(request, _("Billing keeps the tenant suspended until its subscription is paid."))
        return _("%(tenant)s is resumed.") % {"tenant": tenant.name}

    return _run(request, tenant, "resume_form", form, resume)


@operator_required
@require_POST
def tenant_extend_trial(request: HttpRequest, key: str) -> HttpResponse:
    tenant = get_console_tenant(key)
    form = ExtendTrialForm(request.POST, prefix="trial")

    def extend() -> str:
        ends_at = operations.extend_trial(
            tenant, actor=operator_actor(request), days=form.cleaned_data["days"], ip_address=_ip(request)
        )
        return _("The trial of %(tenant)s now ends on %(date)s.") % {
            "tenant": tenant.name,
            "date": ends_at.date().isoformat(),
        }

    return _run(request, tenant, "trial_form", form, extend)


@operator_required
@require_POST
def tenant_change_plan(request: HttpRequest, key: str) -> HttpResponse:
    tenant = get_console_tenant(key)
    form = ChangePlanForm(request.POST, prefix="plan")

    def change() -> str:
        plan = form.cleaned_data["plan"]
        operations.change_plan(
            tenant,
            actor=operator_actor(request),
            plan=plan,
            module_overrides=form.module_overrides,
            reason=form.cleaned_data["reason"],
            ip_address=_ip(request),
        )
        return _("%(tenant)s is on the %(plan)s plan.") % {"tenant": tenant.name, "plan": plan.name}

    return _run(request, tenant, "plan_form", form, change)


@operator_required
@require_POST
def tenant_delete(request: HttpRequest, key: str) -> HttpResponse:
    tenant = get_console_tenant(key)
    form = DeleteTenantForm(request.POST, prefix="delete", slug=tenant.slug)

    def delete() -> str:
        operations.delete_tenant(tenant, actor=operator_actor(request), reason=form.cleaned_data["reason"])
        return _("The data of %(tenant)s is deleted.") % {"tenant": tenant.name}

    return _run(request, tenant, "delete_form", form, delete)
