"""E-mail to case tasks. Beat's ``poll_all_support_addresses`` (every minute) queues
``poll_support_addresses`` per served tenant, which queues ``poll_support_address`` for each
address with a mailbox; ``send_case_mail`` sends a case message after its commit, retried with
backoff while the mail server refuses or cannot be reached."""

from __future__ import annotations

import logging
from smtplib import SMTPException
from typing import Any

from celery import shared_task
from django.db import connection

from modules.registry import is_enabled
from modules.service.mail.models import SupportAddress
from modules.service.mail.services.imap import poll_address
from modules.service.mail.services.outbound import give_up, send_outbound
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant

logger = logging.getLogger(__name__)
MAX_SEND_RETRIES = 8


def _service_enabled() -> bool:
    return is_enabled(getattr(connection, "tenant", None), "service")


@shared_task(acks_late=True)
def poll_support_address(address_id: int) -> int:
    """Read one address's mailbox (a no-op for an address gone, paused or without a mailbox)."""
    if not runs_in_a_tenant("poll_support_address") or not _service_enabled():
        return 0
    address = SupportAddress.objects.filter(pk=address_id).select_related("team").first()
    if address is None or not address.polls_imap:
        return 0
    return poll_address(address)


@shared_task(acks_late=True)
def poll_support_addresses() -> int:
    if not runs_in_a_tenant("poll_support_addresses") or not _service_enabled():
        return 0
    ids = list(
        SupportAddress.objects.filter(is_active=True)
        .exclude(imap_host="")
        .exclude(imap_user="")
        .values_list("pk", flat=True)
    )
    for address_id in ids:
        poll_support_address.apply_async((address_id,), expires=55, retry=False)
    return len(ids)


@shared_task
def poll_all_support_addresses() -> int:
    return queue_for_each_served_tenant(poll_support_addresses, expires=55)


@shared_task(bind=True, acks_late=True, max_retries=MAX_SEND_RETRIES)
def send_case_mail(self: Any, outbound_id: int) -> str:
    if not runs_in_a_tenant("send_case_mail"):
        return "skipped"
    try:
        return send_outbound(outbound_id)
    except (SMTPException, OSError) as error:
        if self.request.retries >= MAX_SEND_RETRIES:
            give_up(outbound_id, f"{type(error).__name__}: {error}")
            logger.warning("case e-mail %s not sent: %s", outbound_id, error)
            return "failed"
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 3600)) from error
