"""Celery tasks of the billing lifecycle (public schema)."""

from celery import shared_task

from billing.services.lifecycle import advance_subscriptions


@shared_task(acks_late=True)
def advance_billing_lifecycle() -> int:
    """Hourly: trials ending, renewals, overdue invoices, suspensions, cancellations, deletions.

    Idempotent (each rule reads the state and the clock), so a retried or doubled run is harmless.
    """
    return len(advance_subscriptions())
