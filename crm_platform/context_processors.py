"""What every page of the app shell needs: tenant, navigation, lifecycle banner, languages."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from modules.registry import navigation
from tenants.choices import TenantStatus


def shell(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_tenant_host = tenant is not None and tenant.schema_name != "public"
    user = getattr(request, "user", None)
    context: dict[str, Any] = {
        "tenant": tenant if is_tenant_host else None,
        "languages": settings.LANGUAGES,
        "nav_sections": [],
        "lifecycle_banner": None,
    }
    if tenant is not None and is_tenant_host and user is not None and user.is_authenticated:
        context["nav_sections"] = navigation(tenant, user)
        if tenant.is_read_only:
            from tenants.middleware import read_only_message

            context["lifecycle_banner"] = {"level": "danger", "message": read_only_message(tenant)}
        elif tenant.status == TenantStatus.PAST_DUE:
            from django.utils.translation import gettext as _

            context["lifecycle_banner"] = {
                "level": "warning",
                "message": _("Your subscription payment is overdue. Please update your billing details."),
            }
    return context
