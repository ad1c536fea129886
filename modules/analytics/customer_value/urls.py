"""Routes of the customer-value analyses, in the analytics namespace."""

from django.urls import path

from modules.analytics.customer_value.views import card, churn, cohorts, rfm, value

urlpatterns = [
    path("rfm/", rfm.rfm, name="rfm"),
    path("customer-value/", value.lifetime_value, name="customer-value"),
    path("customer-value/company/<int:pk>/", card.company_card, name="customer-value-company"),
    path("customer-value/contact/<int:pk>/", card.contact_card, name="customer-value-contact"),
    path("churn/", churn.churn, name="churn"),
    path("cohorts/", cohorts.retention, name="cohorts"),
]
