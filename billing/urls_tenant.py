"""The tenant admin's "Plan and usage" pages (tenant host, /settings/billing/)."""

from django.urls import URLPattern

app_name = "billing-settings"

urlpatterns: list[URLPattern] = []
