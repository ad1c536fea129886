"""Queuing due occurrences and sending each recipient's copy.

``queue_due`` (per tenant, from beat) turns every subscription whose ``next_run_at`` has come into
one delivery per recipient — unique per (subscription, occurrence, recipient), so a second run, a
second beat or a redelivered task writes nothing — moves the subscription to its next occurrence,
and returns the deliveries to attempt: new ones, retries whose time has come, and those a worker
died holding (lease expired).

``attempt_delivery`` claims one (a short lease, committed), runs the report as the recipient — their
record visibility, their language — renders the PDF or CSV, sends it through Django's e-mail backend
(SMTP in production) and records the outcome: sent; or a retry after ``RETRY_DELAYS``; or, after
``MAX_ATTEMPTS`` or a failure no retry can mend (the recipient may no longer open the report, its
definition no longer runs), failed — the report's owner is notified and ``report_delivery.failed``
goes on the outbox. The message carries a Message-ID made of the delivery's key, so the rare copy
sent again after a worker died between the server's acceptance and the record is the same message
to the recipient's mail system.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from customization.events.outbox import emit
from modules.analytics.reports.choices import DeliveryStatus
from modules.analytics.reports.delivery.message import build_message, owner_notice
from modules.analytics.reports.delivery.models import ReportDelivery, ReportSubscription
from modules.analytics.reports.delivery.schedule import latest_due, next_after, tenant_zone
from modules.analytics.reports.delivery.services import may_receive
from modules.plan_gate import ModuleNotInPlan, ensure_in_plan

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd, … failed attempt; after the last one the delivery has failed.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                timedelta(hours=6))  # fmt: skip
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LEASE = timedelta(minutes=5)
# Retries due within this are queued with a countdown; later ones are found by the beat task.
COUNTDOWN_LIMIT = timedelta(minutes=10)


class PermanentFailure(Exception):
    """A failure that retrying cannot mend."""


def delivery_key(subscription_id: int, occurrence: datetime, recipient_id: int) -> str:
    return f"report-delivery.{subscription_id}.{occurrence:%Y%m%dT%H%MZ}.{recipient_id}"


def _queue_occurrences(now: datetime) -> None:
    zone = tenant_zone()
    with transaction.atomic():
        due = (
            ReportSubscription.objects.select_for_update(skip_locked=True)
            .filter(next_run_at__lte=now)
            .prefetch_related("recipients")
        )
        for subscription in due:
            schedule = {
                "frequency": subscription.frequency, "hour": subscription.hour, "weekday": subscription.weekday,
                "day_of_month": subscription.day_of_month, "zone": zone,
            }  # fmt: skip
            occurrence = latest_due(subscription.next_run_at, now, **schedule)  # type: ignore[arg-type]
            ReportDelivery.objects.bulk_create(
                [
                    ReportDelivery(
                        subscription=subscription,
                        report_id=subscription.report_id,
                        recipient=recipient,
                        occurrence=occurrence,
                        key=delivery_key(subscription.pk, occurrence, recipient.pk),
                        file_format=subscription.file_format,
                        next_attempt_at=occurrence,
                    )
                    for recipient in subscription.recipients.all()
                ],
                ignore_conflicts=True,
            )
            subscription.next_run_at = next_after(occurrence, **schedule)  # type: ignore[arg-type]
            subscription.save(update_fields=["next_run_at"])


def queue_due(now: datetime | None = None) -> list[int]:
    """Write the deliveries of every due occurrence; the ids of the deliveries to attempt now."""
    now = now or timezone.now()
    _queue_occurrences(now)
    return list(
        ReportDelivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:500]
    )


def _claim(delivery_id: int, now: datetime) -> ReportDelivery | None:
    with transaction.atomic():
        delivery = (
            ReportDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("report__owner", "recipient", "subscription")
            .filter(pk=delivery_id, status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .first()
        )
        if delivery is None:
            return None
        ReportDelivery.objects.filter(pk=delivery.pk).update(lease_until=now + LEASE)
        return delivery


def _send(delivery: ReportDelivery) -> None:
    try:
        ensure_in_plan(getattr(connection, "tenant", None), "analytics")
    except ModuleNotInPlan as error:
        raise PermanentFailure(str(error)) from None
    if not may_receive(delivery.recipient, delivery.report):
        raise PermanentFailure("The recipient can no longer open this report.")
    try:
        message = build_message(delivery)
    except ValidationError as error:
        problems = "; ".join(f"{key}: {' '.join(texts)}" for key, texts in error.message_dict.items())
        raise PermanentFailure(f"The report no longer runs: {problems}") from None
    message.send(fail_silently=False)


def attempt_delivery(delivery_id: int) -> str | None:
    """One attempt of a due delivery; its new status (None: not due, held by another worker, or done)."""
    delivery = _claim(delivery_id, timezone.now())
    if delivery is None:
        return None
    error, permanent = "", False
    try:
        _send(delivery)
    except PermanentFailure as failure:
        error, permanent = str(failure), True
    except (smtplib.SMTPException, OSError) as failure:
        error = f"{type(failure).__name__}: {failure}"
    return _record(delivery.pk, error=error[:2000], permanent=permanent)


def _record(delivery_id: int, *, error: str, permanent: bool) -> str | None:
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            ReportDelivery.objects.select_for_update(of=("self",))
            .select_related("report__owner", "recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None  # the subscription or report was deleted while sending
        delivery.attempts += 1
        delivery.lease_until = None
        delivery.last_error = error
        if not error:
            delivery.status, delivery.sent_at, delivery.next_attempt_at = DeliveryStatus.SENT, now, None
        elif permanent or delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            owner_notice(delivery)
            emit("report_delivery.failed", delivery, entity="report_delivery", data={
                "report": delivery.report_id, "recipient": delivery.recipient_id, "attempts": delivery.attempts,
                "error": error[:500],
            })  # fmt: skip
        else:
            delay = RETRY_DELAYS[delivery.attempts - 1]
            delivery.next_attempt_at = now + delay
            if delay <= COUNTDOWN_LIMIT:
                _retry_later(delivery.pk, delay)
        delivery.save()
    logger.info("report delivery %s: %s after %s attempts", delivery.pk, delivery.status, delivery.attempts)
    return delivery.status


def _retry_later(delivery_id: int, delay: timedelta) -> None:
    from modules.analytics.reports.delivery.tasks import send_report_delivery

    transaction.on_commit(
        lambda: send_report_delivery.apply_async((delivery_id,), countdown=delay.total_seconds(), retry=False)
    )
