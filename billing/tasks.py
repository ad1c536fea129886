"""Celery tasks of the billing lifecycle (public schema)."""
