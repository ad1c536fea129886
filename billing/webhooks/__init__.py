"""Stripe's side of billing: the webhook endpoint (``views``), stored events and their handling
(``handling``), our mirror of Stripe's subscriptions and invoices (``mirroring``), and the Celery
tasks that handle, retry and reconcile (``tasks``). Calls to Stripe go through ``billing.stripe_api``.
"""
