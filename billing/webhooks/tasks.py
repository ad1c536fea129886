"""Celery tasks of Stripe webhook handling and reconciliation."""
