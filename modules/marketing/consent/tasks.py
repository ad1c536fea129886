"""Consent tasks, in the schema of the tenant that queued them (tenant-schemas-celery)."""

from __future__ import annotations

from celery import shared_task

from core.mail_retry import mail_task_options
from tenants.services.fleet import runs_in_a_tenant


@shared_task(**mail_task_options())
def send_opt_in_confirmation(request_id: int, token: str) -> str:
    """E-mail a double opt-in's confirmation link (not once it is confirmed)."""
    from modules.marketing.consent.services.opt_in import send_confirmation

    if not runs_in_a_tenant("send_opt_in_confirmation"):
        return "no-tenant"
    return send_confirmation(request_id, token)
