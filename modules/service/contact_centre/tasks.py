"""The contact centre's tasks, in the schema of the tenant that queued them (tenant-schemas-celery)."""

from __future__ import annotations

import logging

from celery import shared_task

from core.mail_retry import mail_task_options
from modules.service.contact_centre.providers.base import ProviderError
from tenants.services.fleet import runs_in_a_tenant

logger = logging.getLogger(__name__)

SMS_MAX_RETRIES = 5


@shared_task(bind=True, acks_late=True, max_retries=SMS_MAX_RETRIES)
def send_sms(self, sms_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send one SMS; a provider that cannot be reached is tried again with backoff (10 s, 20 s, …),
    then the message is marked failed. Idempotent: a message already sent is not sent again."""
    from modules.service.contact_centre.services.sms import give_up, send_pending

    if not runs_in_a_tenant("send_sms"):
        return "no-tenant"
    try:
        return send_pending(sms_id)
    except ProviderError as error:
        if self.request.retries >= SMS_MAX_RETRIES:
            give_up(sms_id, error.code or "unreachable")
            return "failed"
        raise self.retry(exc=error, countdown=min(600, 10 * 2**self.request.retries)) from error


@shared_task(**mail_task_options())
def send_csat_email(survey_id: int, token: str) -> str:
    """E-mail the satisfaction question of a solved case (once: ``sent_at`` is stamped)."""
    from modules.service.contact_centre.services.csat import send_survey

    if not runs_in_a_tenant("send_csat_email"):
        return "no-tenant"
    return send_survey(survey_id, token)
