"""Sending e-mail written in the CRM: ``send_composed_mail`` after the message's commit (or at its
scheduled time), retried with backoff while the mail server refuses or cannot be reached; every
minute beat's ``send_all_lost_composed_mail`` queues again, in each tenant, the messages whose task
was lost before any attempt (a broker restarted, a worker killed holding a far ``eta``)."""

from __future__ import annotations

import logging
from smtplib import SMTPException
from typing import Any

from celery import shared_task

from modules.mailboxes.services.compose import give_up, lost_messages, send_composed
from modules.mailboxes.services.connection import MailboxError
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant

logger = logging.getLogger(__name__)
MAX_SEND_RETRIES = 8


@shared_task(bind=True, acks_late=True, max_retries=MAX_SEND_RETRIES)
def send_composed_mail(self: Any, message_id: int) -> str:
    if not runs_in_a_tenant("send_composed_mail"):
        return "skipped"
    try:
        return send_composed(message_id)
    except (SMTPException, OSError, MailboxError) as error:
        if self.request.retries >= MAX_SEND_RETRIES:
            give_up(message_id, f"{type(error).__name__}: {error}")
            logger.warning("composed e-mail %s not sent: %s", message_id, type(error).__name__)
            return "failed"
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 3600)) from error


@shared_task(acks_late=True)
def send_lost_composed_mail() -> int:
    if not runs_in_a_tenant("send_lost_composed_mail"):
        return 0
    ids = lost_messages()
    for message_id in ids:
        send_composed_mail.apply_async((message_id,), retry=False)
    return len(ids)


@shared_task
def send_all_lost_composed_mail() -> int:
    return queue_for_each_served_tenant(send_lost_composed_mail, expires=55)
