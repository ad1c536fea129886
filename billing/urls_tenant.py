"""The tenant admin's "Plan and usage" pages (tenant host, /settings/billing/)."""

from django.urls import URLPattern, path

from billing import tenant_views

app_name = "billing-settings"

urlpatterns: list[URLPattern] = [
    path("", tenant_views.overview, name="overview"),
    path("plan/", tenant_views.change_plan, name="change-plan"),
    path("payment-methods/", tenant_views.payment_portal, name="portal"),
    path("cancel/", tenant_views.cancel, name="cancel"),
    path("invoices/<int:pk>/", tenant_views.invoice_detail, name="invoice"),
]
