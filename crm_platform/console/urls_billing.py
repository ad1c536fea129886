"""Console URLs at /console/billing/: revenue, subscriptions, invoices, failed payments, the
Stripe event log and the plan editor."""

from django.urls import path

from crm_platform.console.views import billing, events, payment_details, plans

urlpatterns = [
    path("", billing.billing_overview, name="billing"),
    path("subscriptions/", billing.subscription_list, name="subscriptions"),
    path("invoices/", billing.invoice_list, name="invoices"),
    path("invoices/<int:pk>/mark-paid/", billing.invoice_mark_paid, name="invoice-mark-paid"),
    path("failed-payments/", billing.failed_payments, name="failed-payments"),
    path("payment-details/", payment_details.payment_details, name="payment-details"),
    path("stripe-events/", events.event_list, name="stripe-events"),
    path("stripe-events/<int:pk>/", events.event_detail, name="stripe-event"),
    path("stripe-events/<int:pk>/replay/", events.event_replay, name="stripe-event-replay"),
    path("plans/", plans.plan_list, name="plans"),
    path("plans/new/", plans.plan_create, name="plan-new"),
    path("plans/<int:pk>/", plans.plan_edit, name="plan"),
    path("plans/<int:pk>/delete/", plans.plan_delete, name="plan-delete"),
]
