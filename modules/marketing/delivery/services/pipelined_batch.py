"""A claimed batch handed over through a server that offers SMTP pipelining (``smtp_pipeline.py``):
the same steps as ``engine.Batch.send`` — the previous outcome, the heartbeat, the rate token and
this row's start journaled in one Redis call before its "." is written — with one SMTP round trip
per message instead of four, because each message's envelope travels with the previous message's
content.

For each row: its envelope was answered (written ahead, or alone for the first message of a
connection); a refused envelope is that row's outcome; else the journal step, then its content and
"." with the next row's envelope behind it. A broken connection fails the message in hand as
"try later" (as ``sendmail`` raising would), and the next message opens a new connection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from modules.marketing.delivery.models import Recipient
from modules.marketing.delivery.services.smtp_pipeline import Envelope, Pipeline

if TYPE_CHECKING:
    from modules.marketing.delivery.services.engine import Batch, Outcome

Message = tuple[str, str, bytes]


class PipelinedBatch:
    def __init__(self, batch: Batch, rows: list[Recipient], outcome: Outcome) -> None:
        self.batch = batch
        self.rows = rows
        self.outcome = outcome
        self.pending: list[str] = []  # outcomes not yet journaled, written with the next step
        self.pipe: Pipeline | None = None

    def send(self, *, max_inline_wait: float) -> float:
        """Returns 0, or the rate limit's wait when it is longer than ``max_inline_wait`` (the rest
        of the batch is given back by the caller's settle)."""
        from modules.marketing.delivery.services import engine

        batch = self.batch
        ahead: Envelope | None = None  # this row's envelope, written with the previous content
        skip: set[int] = set()  # rows whose message could not be built while looking ahead
        for position, row in enumerate(self.rows):
            if row.pk in skip:
                continue
            current = ahead if ahead is not None else self._announce(row)
            ahead = None
            if current is None:
                continue
            if current.error is not None:
                self.pending.append(batch._failed(row, current.error, self.outcome, reset=False))
                continue
            wait = batch._step(self.pending, start=row.pk)
            self.pending = []
            while 0 < wait <= max_inline_wait:
                engine.sleep(wait)
                wait = batch._step([], start=row.pk)
            if wait > max_inline_wait:
                self._drop(abandon=True)
                return wait
            batch.entries.started.add(row.pk)
            following = self._build_next(position, skip)
            ahead = self._hand_over(row, current, following)
        if self.pending:
            # The last outcome journaled too: a death before the settle's commit re-sends nothing.
            batch._step(self.pending, start=None)
        return 0.0

    def _build(self, row: Recipient) -> Message | None:
        try:
            return self.batch.builder.raw(row)
        except Exception as error:  # a template that cannot be rendered for this contact
            self.pending.append(self.batch._unbuilt(row, error, self.outcome))
            return None

    def _build_next(self, position: int, skip: set[int]) -> tuple[Recipient, Message] | None:
        for row in self.rows[position + 1 :]:
            message = self._build(row)
            if message is not None:
                return row, message
            skip.add(row.pk)  # journaled as not built: passed over by the loop
        return None

    def _announce(self, row: Recipient) -> Envelope | None:
        """The row's envelope alone (a connection's first message, or after a refusal or a break)."""
        message = self._build(row)
        if message is None:
            return None
        try:
            if self.pipe is None:
                self.pipe = Pipeline(self._opened())
            return self.pipe.announce(*message)
        except Exception as error:
            self._drop(abandon=False)
            self.pending.append(self.batch._failed(row, error, self.outcome, reset=False))
            return None

    def _hand_over(
        self, row: Recipient, current: Envelope, following: tuple[Recipient, Message] | None
    ) -> Envelope | None:
        """Hand ``row`` over; the following row's envelope answered, or None to announce it again."""
        pipe = self.pipe
        if pipe is None:  # an answered envelope always has its connection
            raise RuntimeError("the envelope's connection was dropped")
        try:
            refusal, ahead = pipe.hand_over(current, following[1] if following else None)
        except Exception as error:
            self._drop(abandon=False)
            self.pending.append(self.batch._failed(row, error, self.outcome, reset=False))
            return None
        if refusal is None:
            self.pending.append(self.batch._accepted(row, "", self.outcome))
        else:
            self.pending.append(self.batch._failed(row, refusal, self.outcome, reset=False))
        if pipe.broken:
            self._drop(abandon=False)
            return None
        return ahead

    def _opened(self) -> object:
        mail = self.batch.mail
        mail.open()
        if mail.connection is None:  # open() failed silently (a fail_silently connection)
            raise OSError("the SMTP connection could not be opened")
        return mail

    def _drop(self, *, abandon: bool) -> None:
        """Forget the connection: closed without QUIT when a message's DATA is open (``abandon``)."""
        if self.pipe is not None and abandon:
            self.pipe.abandon()
        else:
            self.batch.builder.reset(self.batch.mail)
        self.pipe = None
