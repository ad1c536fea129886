"""Survey tasks, in the schema of the tenant that queued them (tenant-schemas-celery)."""

from __future__ import annotations

from celery import shared_task

from core.mail_retry import mail_task_options
from tenants.services.fleet import runs_in_a_tenant


@shared_task(**mail_task_options())
def send_invitations(survey_id: int) -> dict[str, int] | str:
    """E-mail the survey's invitations not sent yet. Idempotent per (survey, contact): each is
    sent under a row lock and stamped, so a retried task sends only the rest."""
    from modules.marketing.surveys.services.sending import send_pending

    if not runs_in_a_tenant("send_invitations"):
        return "no-tenant"
    return send_pending(survey_id)
