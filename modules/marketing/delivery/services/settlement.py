"""Claiming a batch of recipients and writing what became of it: by the worker at the batch's end
(``settle``), or for a dead worker from its journal (``recover_stale``). See ``engine.py`` for the
whole hand-over.

**No message is handed over twice by itself.** A row whose hand-over had started with no outcome
may or may not have reached the server (SMTP gives no way to ask), so it is settled as
``unconfirmed``: not sent again automatically, counted on the send's page and listed among its
recipients, and sent again (with the same Message-ID) only when a marketer asks
(``sends.send_unconfirmed_again``). A batch whose journal Redis lost is unconfirmed as a whole: the
journal is opened in the claim's own transaction, so a committed claim without a journal means the
journal was lost, not that nothing was sent."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from modules.marketing.delivery.choices import RecipientState
from modules.marketing.delivery.models import Recipient
from modules.marketing.delivery.services import journal
from modules.marketing.delivery.services.engagement import note_sent_many

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6

# Kept in the row's error (the recipients list shows it); in English like the servers' replies.
INTERRUPTED = gettext_noop(
    "A worker stopped while handing this message over: the server may have it. Not sent again unless asked."
)
JOURNAL_LOST = gettext_noop(
    "A worker stopped during this batch and its journal was lost: the server may have the message."
    " Not sent again unless asked."
)


def lease_seconds() -> int:
    return int(settings.MARKETING_SEND_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(0, attempts - 1), 3600))


def schema() -> str:
    return str(getattr(connection, "schema_name", ""))


def claim_batch(email_id: int, size: int) -> tuple[str, list[int]]:
    """Claim up to ``size`` due queued rows for this worker, committed before anything is sent, with
    the batch's journal opened before that commit."""
    token = uuid.uuid4().hex
    table = Recipient._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET state = %s, claim = %s, claimed_at = now()
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
        if ids:
            # Redis unreachable: the claim rolls back and nothing is sent.
            journal.open_journal(schema(), token, lease=lease_seconds())
    return token, ids


def recover_stale(email_id: int | None = None) -> int:
    """Settle the batches of workers whose lease ran out and whose heartbeat stopped, from their
    journals: accepted rows sent, refusals and retries recorded, unstarted rows queued, the one in
    the middle of its hand-over unconfirmed. Returns how many rows it settled."""
    stale = Recipient.objects.filter(
        state=RecipientState.SENDING, claimed_at__lt=timezone.now() - timedelta(seconds=lease_seconds())
    )
    if email_id is not None:
        stale = stale.filter(email_id=email_id)
    current = schema()
    settled = unconfirmed = 0
    for claim in set(stale.values_list("claim", flat=True)):
        if journal.alive(current, claim):
            continue
        entries = journal.read(current, claim)
        with transaction.atomic():
            rows = list(
                Recipient.objects.select_for_update(of=("self",))
                .filter(claim=claim, state=RecipientState.SENDING)
                .order_by("pk")
            )
            settle(claim, rows, entries, lost=not entries.opened)
        journal.forget(current, claim)
        settled += len(rows)
        unconfirmed += len(rows) if not entries.opened else len(entries.interrupted() & {row.pk for row in rows})
    if settled:
        logger.warning("marketing send: %s rows of dead workers settled, %s unconfirmed", settled, unconfirmed)
    return settled


def settle(claim: str, rows: list[Recipient], entries: journal.Entries, *, lost: bool = False) -> None:
    """Write a claimed batch's results in one transaction. ``rows`` are the batch's rows as claimed
    (their attempts before this batch); ``lost``: the journal is gone, so every row is unconfirmed."""
    now = timezone.now()
    with transaction.atomic():
        held = Recipient.objects.filter(claim=claim, state=RecipientState.SENDING)
        if lost:
            _mark_unconfirmed(held, [row.pk for row in rows], JOURNAL_LOST)
            return
        _record_sent(entries.accepted, now)
        for row in rows:
            if row.pk in entries.retried:
                _mark_retry(held, row, entries.retried[row.pk], now)
            elif row.pk in entries.refused:
                _mark_failed(held, row, entries.refused[row.pk])
        interrupted = entries.interrupted()
        _mark_unconfirmed(held, list(interrupted), INTERRUPTED)
        back = [row.pk for row in rows if not entries.settled(row.pk) and row.pk not in interrupted]
        if back:
            held.filter(pk__in=back).update(state=RecipientState.QUEUED, claim="", claimed_at=None)


def _mark_unconfirmed(held: QuerySet[Recipient], ids: list[int], reason: str) -> None:
    """The claim's time is kept: the plan's monthly count reads an unconfirmed message from it."""
    if ids:
        held.filter(pk__in=ids).update(
            state=RecipientState.UNCONFIRMED, claim="", attempts=F("attempts") + 1, error=reason
        )


def _record_sent(accepted: dict[int, str], now: datetime) -> None:
    """The accepted rows sent, each with its timeline entry and outbox event, in bulk (caller's
    transaction). Not tied to the claim: a row recovery settled meanwhile (a worker slower than its
    lease) was still sent; a row already recorded as sent is not recorded twice."""
    if not accepted:
        return
    table = Recipient._meta.db_table
    values = ", ".join(["(%s::bigint, %s::text)"] * len(accepted))
    parameters: list[Any] = [value for row_id, provider_id in accepted.items() for value in (row_id, provider_id[:250])]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} AS row SET state = %s, sent_at = %s, claim = '', provider_message_id = given.provider_id,
                next_attempt_at = NULL, attempts = row.attempts + 1
            FROM (VALUES {values}) AS given (id, provider_id)
            WHERE row.id = given.id AND row.state IN (%s, %s, %s)
            RETURNING row.email_id, row.contact_id
            """,  # noqa: S608 - the table name is the model's, the values are parameters
            [
                RecipientState.SENT.value, now, *parameters, RecipientState.SENDING.value,
                RecipientState.QUEUED.value, RecipientState.UNCONFIRMED.value,
            ],
        )  # fmt: skip
        changed = [(email_id, contact_id) for email_id, contact_id in cursor.fetchall() if contact_id is not None]
    note_sent_many(changed, at=now)


def _mark_retry(held: QuerySet[Recipient], row: Recipient, error: str, now: datetime) -> None:
    attempts = row.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _mark_failed(held, row, error)
        return
    held.filter(pk=row.pk).update(
        state=RecipientState.QUEUED, claim="", claimed_at=None, attempts=attempts,
        next_attempt_at=now + backoff(attempts), error=error[:2000],
    )  # fmt: skip


def _mark_failed(held: QuerySet[Recipient], row: Recipient, error: str) -> None:
    held.filter(pk=row.pk).update(state=RecipientState.FAILED, claim="", attempts=row.attempts + 1, error=error[:2000])
