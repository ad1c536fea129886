"""Consent tasks, in the schema of the tenant that queued them (tenant-schemas-celery)."""

from __future__ import annotations

from celery import shared_task

from tenants.services.fleet import runs_in_a_tenant


@shared_task(autoretry_for=(OSError,), retry_backoff=10, max_retries=5, acks_late=True)
def send_opt_in_confirmation(request_id: int, token: str) -> str:
    """E-mail a double opt-in's confirmation link (not once it is confirmed)."""
    from modules.marketing.consent.services.opt_in import send_confirmation

    if not runs_in_a_tenant("send_opt_in_confirmation"):
        return "no-tenant"
    return send_confirmation(request_id, token)
