"""Activity tasks. ``dispatch_reminders`` runs every minute from beat (entry in crm_platform/celery.py),
in the public schema, and queues ``send_reminders`` once per tenant; that one runs in the tenant's
schema (tenant-schemas-celery)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from core.mail_retry import mail_task_options
from modules.activities.services.reminders import send_due_reminders
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_reminders() -> int:
    """Turn the current tenant's due reminders into notifications (idempotent)."""
    if not runs_in_a_tenant("send_reminders"):
        return 0
    return send_due_reminders()


@shared_task
def dispatch_reminders() -> int:
    """Queue ``send_reminders`` for every served tenant; returns how many were queued."""
    return queue_for_each_served_tenant(send_reminders, expires=55)


@shared_task(**mail_task_options())
def send_meeting_message(*, method: str, calendar: str, subject: str, body: str, to: list[str], reply_to: str) -> int:
    """E-mail an iTIP message (``REQUEST``/``CANCEL``) to ``to``: the text, the calendar part that
    mail clients show as an invitation, and the same as an ``invite.ics`` attachment. Retried while
    the mail server is down (core.mail_retry); returns how many addresses it went to."""
    message = EmailMultiAlternatives(
        subject=subject, body=body, to=to, reply_to=[reply_to] if reply_to else None,
    )  # fmt: skip
    message.attach_alternative(calendar, f"text/calendar; method={method}; charset=utf-8")
    message.attach("invite.ics", calendar.encode(), f"application/ics; method={method}")
    message.send(fail_silently=False)
    return len(to)
