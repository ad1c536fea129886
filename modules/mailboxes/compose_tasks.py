"""Sending e-mail written in the CRM: ``send_composed_mail`` after the message's commit (or at its
scheduled time), retried with backoff while the mail server refuses or cannot be reached."""

from __future__ import annotations

import logging
from smtplib import SMTPException
from typing import Any

from celery import shared_task

from modules.mailboxes.services.compose import give_up, send_composed
from tenants.services.fleet import runs_in_a_tenant

logger = logging.getLogger(__name__)
MAX_SEND_RETRIES = 8


@shared_task(bind=True, acks_late=True, max_retries=MAX_SEND_RETRIES)
def send_composed_mail(self: Any, message_id: int) -> str:
    if not runs_in_a_tenant("send_composed_mail"):
        return "skipped"
    try:
        return send_composed(message_id)
    except (SMTPException, OSError) as error:
        if self.request.retries >= MAX_SEND_RETRIES:
            give_up(message_id, f"{type(error).__name__}: {error}")
            logger.warning("composed e-mail %s not sent: %s", message_id, type(error).__name__)
            return "failed"
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 3600)) from error
