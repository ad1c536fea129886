"""Tenant routing by host name, and the read-only rule for suspended or cancelled tenants."""

from collections.abc import Callable
from typing import cast

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware

from crm_platform.errors import problem_response, wants_problem
from tenants.choices import CLOSED_STATUSES, MAINTENANCE_STATES, ProvisioningState, TenantStatus
from tenants.models import Domain, Tenant
from tenants.routing_cache import cached_tenant

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Writes a read-only tenant still allows: signing in and out, language, password reset, paying or
# changing the plan, and exporting its data (a cancelled tenant is offered an export).
READ_ONLY_ALLOWED_PATHS = (
    "/login/",
    "/logout/",
    "/i18n/",
    "/password-reset/",
    "/graphql/",
    "/settings/billing/",
    "/exports/",
)


class TenantRoutingMiddleware(TenantMainMiddleware):
    """Route ``<slug>.<BASE_DOMAIN>`` to its tenant; anything else gets a clear 404 page.

    A tenant that is still being provisioned, or deleted, is not served.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        try:
            request.get_host()
        except DisallowedHost:
            return HttpResponseBadRequest(
                _("Bad request: this host name is not served here."), content_type="text/plain"
            )
        response = super().process_request(request)
        tenant = getattr(request, "tenant", None)
        if response is None and tenant is not None and tenant.migration_state in MAINTENANCE_STATES:
            return maintenance_response(request)
        return response

    def get_tenant(self, domain_model: type[Domain], hostname: str) -> Tenant:
        # Per process, retired by any change to a tenant or domain (tenants.routing_cache).
        return cast(Tenant, cached_tenant(hostname, lambda host: self.load_tenant(domain_model, host)))

    @staticmethod
    def load_tenant(domain_model: type[Domain], hostname: str) -> Tenant:
        domain = domain_model.objects.select_related("tenant").get(domain=hostname)
        tenant = domain.tenant
        if tenant.schema_name != "public" and (
            tenant.provisioning_state != ProvisioningState.ACTIVE or tenant.status in CLOSED_STATUSES
        ):
            raise domain_model.DoesNotExist
        return tenant


class TenantLifecycleMiddleware:
    """A suspended or cancelled tenant can be read, not changed: writes get a 403 that says why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and getattr(tenant, "is_read_only", False)
            and request.method not in SAFE_METHODS
            and not request.path.startswith(READ_ONLY_ALLOWED_PATHS)
        ):
            return read_only_response(request, tenant)
        return self.get_response(request)


def read_only_message(tenant: Tenant) -> str:
    if tenant.status == TenantStatus.CANCELLED:
        message = _(
            "The subscription of %(name)s is cancelled: you can look at your data, but changes are switched off."
        )
    else:
        message = _("%(name)s is suspended: you can look at your data, but changes are switched off.")
    return message % {"name": tenant.name}


def read_only_response(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    message = read_only_message(tenant)
    if wants_problem(request):
        return problem_response(
            403, _("Workspace is read-only"), message, problem_type="https://relata.dev/problems/tenant-read-only"
        )
    return render(request, "tenants/read_only.html", {"message": message}, status=403)


# How long a client should wait before asking again while a tenant's schema is being upgraded.
MAINTENANCE_RETRY_AFTER_SECONDS = 60


def maintenance_response(request: HttpRequest) -> HttpResponse:
    """503 while the tenant's schema is being migrated (or its migration failed and waits for a
    retry): the schema is not what the running code expects, so nothing is read or written."""
    message = _("Relata is upgrading this workspace. It will be back in a few minutes; nothing you saved is lost.")
    response: HttpResponse
    if wants_problem(request):
        response = problem_response(
            503, _("Upgrade in progress"), message, problem_type="https://relata.dev/problems/tenant-maintenance"
        )
    else:
        response = render(request, "tenants/maintenance.html", {"message": message}, status=503)
    response["Retry-After"] = str(MAINTENANCE_RETRY_AFTER_SECONDS)
    return response
