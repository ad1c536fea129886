"""“Sign in as…”: an operator opens a tenant user's session on the tenant host, for a stated reason
and a limited time. The console's log records the request; the tenant's own audit log records the
start (identity.views.handoff) and the end (identity.impersonation)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from crm_platform.console.access import operator_actor, operator_required
from crm_platform.console.forms_tenants import ImpersonateForm
from crm_platform.console.views.tenant_operations import audit_tenant
from crm_platform.console.views.tenants import get_console_tenant, impersonation_choices, render_tenant, tenant_users
from identity.client_address import client_address
from identity.services.login_handoff import Handoff, handoff_path, issue_handoff
from tenants.models import Tenant


def tenant_origin(request: HttpRequest, tenant: Tenant) -> str:
    """``scheme://<slug>.<BASE_DOMAIN>[:port]`` with the scheme and port the console was reached by."""
    host = request.get_host()
    port = host.rpartition(":")[2] if ":" in host and not host.endswith("]") else ""
    suffix = f":{port}" if port else ""
    return f"{request.scheme}://{tenant.slug}.{settings.BASE_DOMAIN}{suffix}"


@operator_required
@require_POST
def tenant_impersonate(request: HttpRequest, key: str) -> HttpResponse:
    tenant = get_console_tenant(key)
    users = tenant_users(tenant)
    form = ImpersonateForm(request.POST, prefix="impersonate", users=impersonation_choices(users))
    if not tenant.is_ready:
        form.add_error(None, _("The tenant is not provisioned yet."))
    if not form.is_valid():
        return render_tenant(request, tenant, status=400, users=users, bound={"impersonate_form": form})
    operator = operator_actor(request)
    email, reason, minutes = (form.cleaned_data[key] for key in ("email", "reason", "minutes"))
    token = issue_handoff(
        Handoff(schema_name=tenant.schema_name, email=email, impersonator=operator, reason=reason, minutes=minutes)
    )
    audit_tenant(
        tenant,
        "impersonation.requested",
        ngettext(
            "Signing in to %(tenant)s as %(user)s for %(minutes)d minute: %(reason)s",
            "Signing in to %(tenant)s as %(user)s for %(minutes)d minutes: %(reason)s",
            minutes,
        )
        % {"tenant": tenant.name, "user": email, "minutes": minutes, "reason": reason},
        actor=operator,
        ip_address=client_address(request),
        user=email,
        reason=reason,
        minutes=minutes,
    )
    return HttpResponseRedirect(tenant_origin(request, tenant) + handoff_path(token))
