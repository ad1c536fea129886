"""Routes of the customer-value analyses, in the analytics namespace."""

from django.urls import path

from modules.analytics.customer_value.views import rfm

urlpatterns = [
    path("rfm/", rfm.rfm, name="rfm"),
]
