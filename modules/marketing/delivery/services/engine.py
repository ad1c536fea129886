"""The send engine: workers claim recipients in batches, hand each message over once, and write a
batch's results in one commit.

How a message is handed over exactly once, and what a dead worker leaves behind:

1. **Claim.** A worker takes up to ``batch`` queued rows with ``SELECT … FOR UPDATE SKIP LOCKED``
   and marks them ``sending`` with its claim token, in a transaction of its own that commits before
   any message goes out. Two workers never claim the same row.
2. **Hand-over.** Right before each message the worker records in the batch's journal in Redis
   (``journal.py``) that this row's hand-over starts — in the same call that records the previous
   message's outcome, renews the claim's heartbeat and takes the message's token from the
   workspace's rate bucket — then hands the message to the SMTP server or provider. A batch's
   messages go through one SMTP connection (or HTTP session), opened by its first message and
   closed at its end.
3. **Settle.** At the batch's end (or when it stops early: a long wait for the rate, an error) one
   commit writes all its results (``settle``): the accepted rows ``sent`` with their timeline
   entries and ``marketing_email.sent`` events in bulk, "try later" replies queued again with a
   back-off (1 min … 1 h, 6 attempts), refusals ``failed`` with the reply, and the rows never
   started given back to the queue. Then the journal is dropped.
4. **A dead worker.** Its rows stay ``sending`` until their lease has run out and its heartbeat has
   stopped; then ``recover_stale`` (``settlement.py``: when a worker starts on the send, and in
   beat's ``resume_sends``) settles the batch from its journal exactly as the worker would have:
   accepted rows are ``sent`` (never handed over again), refused and retried ones recorded,
   unstarted ones queued. **The in-flight window is one message per dead worker:** the row whose
   hand-over had started with no outcome may or may not have reached the server (SMTP gives no way
   to ask), so it becomes ``unconfirmed`` — not handed over again by itself, so nobody gets two
   copies; the send's page counts and lists such rows, and a marketer may send them again, with
   the same Message-ID fixed when the row was made. If Redis itself lost a dead worker's journal
   (a restart without persistence), that batch's rows are all unconfirmed (the window widens to
   that batch; still no copy sent twice, none lost silently).
   ``tests/marketing/delivery/test_worker_killed.py`` kills a worker mid-batch while the server
   holds its reply, ``test_engine_batches.py`` settles a dead worker's journal.

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
from typing import Any

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings

from customization.events.outbox import one_dispatch
from modules.marketing.delivery.choices import SendStatus
from modules.marketing.delivery.models import DeliverySettings, Recipient, Send
from modules.marketing.delivery.services import journal, limits, settlement
from modules.marketing.delivery.services.messages import MessageBuilder, smtp_send, takes_bytes
from modules.marketing.delivery.services.pipelined_batch import PipelinedBatch
from modules.marketing.delivery.services.sends import finish_if_done
from modules.marketing.delivery.services.settlement import claim_batch, lease_seconds, recover_stale, settle
from modules.marketing.delivery.services.smtp_pipeline import offers_pipelining

logger = logging.getLogger(__name__)

# A wait for the rate limit longer than this gives the batch back and comes back later instead of
# holding a worker.
MAX_INLINE_WAIT = 5.0

# The engine's clock and sleep, replaced by the rate-limit test with a simulated clock.
clock: Callable[[], float] = time.time
sleep: Callable[[float], None] = time.sleep


def batch_size() -> int:
    return int(settings.MARKETING_SEND_BATCH_SIZE)


def delivery_settings() -> DeliverySettings:
    found = DeliverySettings.objects.first()
    return found if found is not None else DeliverySettings()


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
    schema = settlement.schema()
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
                claim, ids = claim_batch(email_id, batch_size())
                if not ids:
                    break
                # One renewal of the slot's lease per batch: a batch takes far less than the lease.
                limits.acquire_slot(schema, slot, limit=config.max_concurrency, now=clock(), lease=lease)
                batch = Batch(
                    builder=builder, mail=mail, schema=schema, claim=claim, per_minute=config.messages_per_minute
                )
                # The claim's and the batch's commits queue one outbox dispatcher between them.
                with one_dispatch():
                    wait = batch.send(ids, outcome)
                if wait:
                    outcome.deferred_for = wait
                    return outcome
        finish_if_done(email_id)
    finally:
        limits.release_slot(schema, slot)
    return outcome


@dataclass
class Batch:
    """One claimed batch on its way out: the messages handed over one by one through one
    connection, each step journaled, the results settled in one commit."""

    builder: MessageBuilder
    mail: Any
    schema: str
    claim: str
    per_minute: int
    entries: journal.Entries = field(default_factory=journal.Entries)

    def send(self, ids: list[int], outcome: Outcome) -> float:
        """Returns 0, or the rate limit's wait when it asks for a pause longer than
        ``MAX_INLINE_WAIT`` (the rest of the batch given back)."""
        rows = list(Recipient.objects.filter(pk__in=ids, claim=self.claim).select_related("contact").order_by("pk"))
        try:
            if takes_bytes(self.mail) and self._pipelining():
                return PipelinedBatch(self, rows, outcome).send(max_inline_wait=MAX_INLINE_WAIT)
            return self._send_one_by_one(rows, outcome)
        finally:
            # One connection per batch: the first message opens it and it is closed here, so a
            # server's limit of messages per connection is never reached.
            self.builder.reset(self.mail)
            settle(self.claim, rows, self.entries)
            journal.forget(self.schema, self.claim)

    def _pipelining(self) -> bool:
        """Whether the batch's server offers PIPELINING (opening the connection to ask). A server
        that cannot be reached goes the one-by-one way, whose hand-overs record the failure."""
        try:
            return offers_pipelining(self.mail)
        except (OSError, smtplib.SMTPException):
            self.builder.reset(self.mail)
            return False

    def _send_one_by_one(self, rows: list[Recipient], outcome: Outcome) -> float:
        pending: list[str] = []  # the previous message's outcome, journaled with the next step
        for row in rows:
            wait = self._step(pending, start=row.pk)
            pending = []
            while 0 < wait <= MAX_INLINE_WAIT:
                sleep(wait)
                wait = self._step([], start=row.pk)
            if wait > MAX_INLINE_WAIT:
                return wait
            self.entries.started.add(row.pk)
            pending = [self._hand_over(row, outcome)]
        if pending:
            # The last outcome journaled too: a death before the settle's commit re-sends nothing.
            self._step(pending, start=None)
        return 0.0

    def _step(self, outcomes: list[str], *, start: int | None) -> float:
        return journal.step(
            self.schema, self.claim, outcomes=outcomes, start=start, per_minute=self.per_minute, now=clock(),
            lease=lease_seconds(),
        )  # fmt: skip

    def _hand_over(self, row: Recipient, outcome: Outcome) -> str:
        """Build and send the row's message; its outcome, kept in memory and returned as a journal entry."""
        if takes_bytes(self.mail):
            return self._hand_over_smtp(row, outcome)
        try:
            message = self.builder.build(row, connection=self.mail)
        except Exception as error:  # a template that cannot be rendered for this contact
            return self._unbuilt(row, error, outcome)
        try:
            # Open the batch's connection unless it is open: a backend opens and closes one per call
            # to send() when the caller holds none.
            self.mail.open()
            message.send()
        except Exception as error:
            return self._failed(row, error, outcome)
        status = getattr(message, "anymail_status", None)
        return self._accepted(row, str(getattr(status, "message_id", "") or ""), outcome)

    def _hand_over_smtp(self, row: Recipient, outcome: Outcome) -> str:
        """Through SMTP: the message written as bytes (``mime.py``) onto the batch's connection."""
        try:
            sender, to, data = self.builder.raw(row)
        except Exception as error:
            return self._unbuilt(row, error, outcome)
        try:
            smtp_send(self.mail, sender, to, data)
        except Exception as error:
            return self._failed(row, error, outcome)
        return self._accepted(row, "", outcome)

    def _accepted(self, row: Recipient, provider_id: str, outcome: Outcome) -> str:
        self.entries.accepted[row.pk] = provider_id
        outcome.sent += 1
        return journal.accepted(row.pk, provider_id)

    def _unbuilt(self, row: Recipient, error: Exception, outcome: Outcome) -> str:
        """A template that cannot be rendered for this contact (or a contact deleted meanwhile)."""
        logger.exception("marketing message %s could not be built", row.pk)
        return self._refused(row, f"{type(error).__name__}: {error}", outcome)

    def _failed(self, row: Recipient, error: Exception, outcome: Outcome, *, reset: bool = True) -> str:
        """``reset``: drop the connection a failure may have broken (the pipelined way drops it
        itself, only when it is broken)."""
        text = f"{type(error).__name__}: {error}"
        if not _temporary(error):
            return self._refused(row, text, outcome)
        self.entries.retried[row.pk] = text
        outcome.retried += 1
        if reset:
            self.builder.reset(self.mail)
        return journal.retried(row.pk, text)

    def _refused(self, row: Recipient, text: str, outcome: Outcome) -> str:
        self.entries.refused[row.pk] = text
        outcome.failed += 1
        return journal.refused(row.pk, text)
