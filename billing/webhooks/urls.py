"""Stripe's webhook endpoint, on the public host only (``crm_platform/urls_public.py``)."""

from django.urls import path

from billing.webhooks.views import stripe_webhook

urlpatterns = [
    path("", stripe_webhook, name="stripe-webhook"),
]
