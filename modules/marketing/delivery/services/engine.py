"""The send engine: workers claim recipients in batches and hand each message over once.

How a message is handed over exactly once, and what a dead worker leaves behind:

1. **Claim.** A worker takes up to ``batch`` queued rows with ``SELECT … FOR UPDATE SKIP LOCKED``
   and marks them ``sending`` with its claim token, in a transaction of its own that commits before
   any message goes out. Two workers never claim the same row.
2. **Hand-over.** Right before each message the worker sets ``handover_started_at`` (and renews the
   row's lease) in a commit, hands the message to the SMTP server or provider, and on the server's
   acceptance marks the row ``sent`` in the next commit — the one that starts the next row's
   hand-over (or a commit of its own after the batch's last message, or before a pause for the
   rate limit), so a message costs one commit. A 4xx reply puts the row back in the queue with a
   back-off; a 5xx is a hard failure recorded on the row. A batch's messages go through one SMTP
   connection (or HTTP session), opened by its first message and closed at its end.
3. **A dead worker.** Its rows stay ``sending`` until their lease runs out (``recover_stale``, run
   by beat each minute and before every batch). A row whose hand-over had not started is queued
   again: nothing of it left, so it is sent exactly once. A row whose hand-over had started may or
   may not have reached the server — SMTP gives no way to ask — so it is queued again *with the same
   Message-ID*, which was fixed when the row was made. That one message per dead worker is
   delivered at least once with a stable deduplication key (the Message-ID; providers and mail
   clients collapse duplicates by it); every other recipient of the send gets exactly one hand-over.
   ``tests/marketing/delivery/test_worker_killed.py`` kills a worker while the server holds its
   reply and checks that every recipient got one message after duplicates by Message-ID collapse,
   and that only the interrupted one was handed over twice.

The lease (``MARKETING_SEND_LEASE_SECONDS``) must stay longer than the SMTP timeout, so a live but
slow hand-over is never taken for a dead one.
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from customization.events.outbox import one_dispatch
from modules.marketing.delivery.choices import RecipientState, SendStatus
from modules.marketing.delivery.models import DeliverySettings, Recipient, Send
from modules.marketing.delivery.services import limits
from modules.marketing.delivery.services.engagement import note
from modules.marketing.delivery.services.messages import MessageBuilder
from modules.marketing.delivery.services.sends import finish_if_done

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# A wait for the rate limit longer than this gives the batch back and comes back later instead of
# holding a worker.
MAX_INLINE_WAIT = 5.0

# The engine's clock and sleep, replaced by the rate-limit test with a simulated clock.
clock: Callable[[], float] = time.time
sleep: Callable[[float], None] = time.sleep


def lease_seconds() -> int:
    return int(settings.MARKETING_SEND_LEASE_SECONDS)


def batch_size() -> int:
    return int(settings.MARKETING_SEND_BATCH_SIZE)


def delivery_settings() -> DeliverySettings:
    found = DeliverySettings.objects.first()
    return found if found is not None else DeliverySettings()


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(0, attempts - 1), 3600))


def claim_batch(email_id: int, size: int) -> tuple[str, list[int]]:
    """Claim up to ``size`` due queued rows for this worker, committed before anything is sent."""
    token = uuid.uuid4().hex
    table = Recipient._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET state = %s, claim = %s, claimed_at = now(), handover_started_at = NULL
            WHERE id IN (
                SELECT id FROM {table}
                WHERE email_id = %s AND state = %s AND (next_attempt_at IS NULL OR next_attempt_at <= now())
                ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED
            )
            RETURNING id
            """,  # noqa: S608
            [RecipientState.SENDING.value, token, email_id, RecipientState.QUEUED.value, size],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
    return token, ids


def release(token: str, ids: list[int]) -> int:
    """Give claimed rows whose hand-over never started back to the queue."""
    return Recipient.objects.filter(
        pk__in=ids, claim=token, state=RecipientState.SENDING, handover_started_at__isnull=True
    ).update(state=RecipientState.QUEUED, claim="", claimed_at=None)


def recover_stale(email_id: int | None = None) -> int:
    """Queue again the rows of workers whose lease ran out (see the module's docstring)."""
    stale = Recipient.objects.filter(
        state=RecipientState.SENDING, claimed_at__lt=timezone.now() - timedelta(seconds=lease_seconds())
    )
    if email_id is not None:
        stale = stale.filter(email_id=email_id)
    with transaction.atomic():
        interrupted = stale.filter(handover_started_at__isnull=False).update(
            state=RecipientState.QUEUED,
            claim="",
            claimed_at=None,
            handover_started_at=None,
            error="A worker stopped during the hand-over; handed over again with the same Message-ID.",
        )
        untouched = stale.update(state=RecipientState.QUEUED, claim="", claimed_at=None)
    if interrupted or untouched:
        logger.warning("marketing send: %s interrupted and %s unstarted rows queued again", interrupted, untouched)
    return interrupted + untouched


# A message the server accepted whose row is not yet marked sent: (row, the provider's id).
Accepted = tuple[Recipient, str]


def _begin_handover(row: Recipient, token: str, *, accepted: Accepted | None = None) -> bool:
    """Commit that this row's hand-over starts now; False when the claim was lost meanwhile.
    ``accepted``, the previous message of the batch, is marked sent in the same commit (one commit
    per message instead of two; nothing happens between that message's acceptance and this)."""
    with transaction.atomic():
        if accepted is not None:
            _record_sent(*accepted)
        return bool(
            Recipient.objects.filter(pk=row.pk, claim=token, state=RecipientState.SENDING).update(
                handover_started_at=timezone.now(), claimed_at=timezone.now(), attempts=row.attempts + 1
            )
        )


def _mark_sent(row: Recipient, provider_id: str) -> None:
    with transaction.atomic():
        _record_sent(row, provider_id)


def _record_sent(row: Recipient, provider_id: str) -> None:
    """The row sent, with its timeline entry and outbox event (in the caller's transaction)."""
    now = timezone.now()
    # Not tied to the claim: if recovery queued the row again meanwhile, it was still sent.
    changed = Recipient.objects.filter(pk=row.pk, state__in=(RecipientState.SENDING, RecipientState.QUEUED)).update(
        state=RecipientState.SENT, sent_at=now, claim="", handover_started_at=None,
        provider_message_id=provider_id[:250], next_attempt_at=None,
    )  # fmt: skip
    if changed:
        note(row, "sent", at=now)


def _mark_retry(row: Recipient, error: str) -> None:
    attempts = row.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _mark_failed(row, error)
        return
    Recipient.objects.filter(pk=row.pk, state=RecipientState.SENDING).update(
        state=RecipientState.QUEUED, claim="", claimed_at=None, handover_started_at=None,
        next_attempt_at=timezone.now() + backoff(attempts), error=error[:2000],
    )  # fmt: skip


def _mark_failed(row: Recipient, error: str) -> None:
    Recipient.objects.filter(pk=row.pk, state=RecipientState.SENDING).update(
        state=RecipientState.FAILED, claim="", handover_started_at=None, error=error[:2000]
    )


def _temporary(error: Exception) -> bool:
    """A reply that says "try later" (SMTP 4xx, an unreachable server, a provider's 429 or 5xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, AnymailRecipientsRefused):
        return False
    if isinstance(error, AnymailAPIError):
        status = error.status_code or 0
        return status == 429 or status >= 500 or status == 0
    return isinstance(error, (smtplib.SMTPException, OSError))


@dataclass
class Outcome:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred_for: float = 0.0
    stopped: str = ""
    events: list[str] = field(default_factory=list)


def deliver(email_id: int) -> Outcome:
    """Send the e-mail's queued rows until none is left, within the tenant's concurrency slots and
    rate. Returns what it did; ``deferred_for`` > 0 asks the caller to come back after that long."""
    outcome = Outcome()
    send = Send.objects.select_related("email").filter(email_id=email_id).first()
    if send is None or send.status not in (SendStatus.SENDING, SendStatus.TESTING):
        outcome.stopped = "not sending"
        return outcome
    config = delivery_settings()
    schema = str(getattr(connection, "schema_name", ""))
    slot = uuid.uuid4().hex
    lease = lease_seconds()
    if not limits.acquire_slot(schema, slot, limit=config.max_concurrency, now=clock(), lease=lease):
        outcome.stopped = "no free slot"
        return outcome
    try:
        recover_stale(email_id)
        builder = MessageBuilder(send.email)
        with builder.connection() as mail:
            while True:
                if Send.objects.filter(email_id=email_id, status=SendStatus.CANCELLED).exists():
                    outcome.stopped = "cancelled"
                    break
                token, ids = claim_batch(email_id, batch_size())
                if not ids:
                    break
                # One renewal of the slot's lease per batch: a batch takes far less than the lease.
                limits.acquire_slot(schema, slot, limit=config.max_concurrency, now=clock(), lease=lease)
                # The batch's commits (one or two per message) queue one outbox dispatcher between them.
                with one_dispatch():
                    wait = _send_batch(builder, mail, schema, config.messages_per_minute, token, ids, outcome)
                if wait:
                    outcome.deferred_for = wait
                    return outcome
        finish_if_done(email_id)
    finally:
        limits.release_slot(schema, slot)
    return outcome


def _send_batch(  # type: ignore[no-untyped-def]
    builder: MessageBuilder, mail, schema: str, per_minute: int, token: str, ids: list[int], outcome: Outcome
) -> float:
    """Hand the claimed rows over one by one through one connection. Returns 0, or the rate limit's
    wait when it asks for a pause longer than ``MAX_INLINE_WAIT`` (the rest of the batch given back)."""
    rows = list(Recipient.objects.filter(pk__in=ids, claim=token).select_related("contact").order_by("pk"))
    accepted: Accepted | None = None
    try:
        for index, row in enumerate(rows):
            wait = limits.take_token(schema, per_minute, clock())
            if wait and accepted is not None:
                # A sent message is never left unrecorded during a pause.
                _mark_sent(*accepted)
                accepted = None
            while 0 < wait <= MAX_INLINE_WAIT:
                sleep(wait)
                wait = limits.take_token(schema, per_minute, clock())
            if wait > MAX_INLINE_WAIT:
                release(token, [later.pk for later in rows[index:]])
                return wait
            started = _begin_handover(row, token, accepted=accepted)
            accepted = None
            if started:
                accepted = _hand_over(builder, mail, row, outcome)
    finally:
        if accepted is not None:
            _mark_sent(*accepted)
        # One connection per batch: the first message opens it (``_hand_over``) and it is closed
        # here, so a server's limit of messages per connection is never reached.
        builder.reset(mail)
    return 0.0


def _hand_over(builder: MessageBuilder, mail, row: Recipient, outcome: Outcome) -> Accepted | None:  # type: ignore[no-untyped-def]
    """Build and send the row's message; the accepted message for the caller to mark sent, or None
    (the row then marked for a retry or failed)."""
    try:
        message = builder.build(row, connection=mail)
    except Exception as error:  # a template that cannot be rendered for this contact
        logger.exception("marketing message %s could not be built", row.pk)
        _mark_failed(row, f"{type(error).__name__}: {error}")
        outcome.failed += 1
        return None
    try:
        # Open the batch's connection unless it is open: a backend opens and closes one per call
        # to send() when the caller holds none.
        mail.open()
        message.send()
    except Exception as error:
        text = f"{type(error).__name__}: {error}"
        if _temporary(error):
            _mark_retry(row, text)
            outcome.retried += 1
            builder.reset(mail)
        else:
            _mark_failed(row, text)
            outcome.failed += 1
        return None
    status = getattr(message, "anymail_status", None)
    outcome.sent += 1
    return row, str(getattr(status, "message_id", "") or "")
