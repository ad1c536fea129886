"""Console URLs (public host only: crm_platform.urls_public includes them, tenant hosts do not)."""

from django.urls import include, path

app_name = "console"

urlpatterns = [
    path("", include("crm_platform.console.urls_tenants")),
    path("billing/", include("crm_platform.console.urls_billing")),
    path("fleet/", include("crm_platform.console.urls_fleet")),
    path("mailbox/", include("crm_platform.console.urls_mailbox")),
]
