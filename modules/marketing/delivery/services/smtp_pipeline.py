"""A batch's messages on one SMTP connection with command pipelining (RFC 2920), when the server
offers it (Postfix and Exim do).

Without pipelining a message costs four round trips: MAIL FROM, RCPT TO, DATA, and the message's
content ended by "." — each command waits for its reply. RFC 2920 lets the client write a group of
commands and then read their replies; DATA must end a group, and a message's content may begin
one. So a message's content, its "." and the *next* message's MAIL FROM, RCPT TO and DATA go in one
write, and one round trip returns the message's outcome and the next one's envelope replies:
one round trip per message.

Exactly once is unchanged: only the "." hands a message over, and it is written only after the
engine journaled the row's start (``Batch`` does that between ``prepare`` and ``hand_over``); an
envelope sent ahead delivers nothing. A batch that stops between a 354 and the "." (a long wait for
the rate) closes the socket without the "."; servers discard an unterminated message.

The bytes on the wire are what ``smtplib.SMTP.sendmail`` writes (the ``SIZE`` parameter when the
server announces SIZE, dot-stuffing, the final CRLF), so a server sees the same message either way;
refusals raise the same ``smtplib`` exceptions as ``sendmail`` (``SMTPSenderRefused``,
``SMTPRecipientsRefused``, ``SMTPDataError``) for the engine's "try later" rule."""

from __future__ import annotations

import re
import smtplib
from dataclasses import dataclass
from typing import Any

CRLF = b"\r\n"
_LEADING_DOT = re.compile(rb"(?m)^\.")


def offers_pipelining(mail: Any) -> bool:
    """Open the backend's connection (if it is not) and say whether its server offers PIPELINING."""
    mail.open()
    smtp = mail.connection
    if smtp is None:  # open() failed silently (a fail_silently connection)
        raise OSError("the SMTP connection could not be opened")
    smtp.ehlo_or_helo_if_needed()
    return bool(smtp.has_extn("pipelining"))


@dataclass
class Envelope:
    """A message whose MAIL FROM, RCPT TO and DATA were written; its replies are read with the group."""

    sender: str
    to: str
    data: bytes
    error: Exception | None = None  # a refusal of the envelope: the message is not handed over


def _envelope_commands(smtp: smtplib.SMTP, sender: str, to: str, size: int) -> bytes:
    options = f" size={size}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    return (f"mail FROM:{smtplib.quoteaddr(sender)}{options}\r\nrcpt TO:{smtplib.quoteaddr(to)}\r\ndata\r\n").encode(
        "ascii"
    )


def _content(data: bytes) -> bytes:
    stuffed = _LEADING_DOT.sub(b"..", data)
    if not stuffed.endswith(CRLF):
        stuffed += CRLF
    return stuffed + b"." + CRLF


class Pipeline:
    """The batch's connection, one message ahead: ``prepare`` the next message's envelope (sent with
    the current message's content, or at once when nothing is in flight), ``hand_over`` the current
    one (``PipelinedBatch`` drives it). The caller drops the pipeline and its connection after any
    exception it raises, or when it is ``broken``."""

    def __init__(self, mail: Any) -> None:
        self.mail = mail
        self.smtp: smtplib.SMTP = mail.connection
        self.reset_owed = False  # an envelope was refused mid-transaction: RSET before the next one
        # The connection broke after a message's outcome was read: the following envelope is lost.
        self.broken = False

    def announce(self, sender: str, to: str, data: bytes) -> Envelope:
        """Write a message's envelope alone and read its replies (one round trip): for the first
        message of a connection, or after a refused envelope."""
        envelope = Envelope(sender, to, data)
        self.smtp.send(self._group_prefix() + _envelope_commands(self.smtp, sender, to, len(data)))
        self._read_group_prefix()
        self._read_envelope(envelope)
        return envelope

    def hand_over(
        self, current: Envelope, following: tuple[str, str, bytes] | None
    ) -> tuple[Exception | None, Envelope | None]:
        """Write ``current``'s content and "." — with ``following``'s envelope behind it in the same
        write — and read the replies: ``current``'s outcome (None: accepted; else the refusal as
        ``sendmail`` raises it) and ``following``'s envelope. Raises on a broken connection."""
        group = _content(current.data)
        envelope = None
        if following is not None:
            envelope = Envelope(*following)
            commands = _envelope_commands(self.smtp, envelope.sender, envelope.to, len(envelope.data))
            group += self._group_prefix() + commands
        self.smtp.send(group)
        code, reply = self.smtp.getreply()
        outcome = None if code == 250 else smtplib.SMTPDataError(code, reply)
        if envelope is not None:
            try:
                self._read_group_prefix()
                self._read_envelope(envelope)
            except (OSError, smtplib.SMTPException):
                # The outcome above stands; the following message goes again on a new connection.
                self.broken = True
                envelope = None
        return outcome, envelope

    def abandon(self) -> None:
        """Close the socket without the "." of a message whose DATA was accepted: nothing is handed
        over (a QUIT would only be read as the message's content)."""
        self.smtp.close()
        self.mail.connection = None

    def _group_prefix(self) -> bytes:
        return b"rset\r\n" if self.reset_owed else b""

    def _read_group_prefix(self) -> None:
        if self.reset_owed:
            self.smtp.getreply()
            self.reset_owed = False

    def _read_envelope(self, envelope: Envelope) -> None:
        mail_code, mail_reply = self.smtp.getreply()
        rcpt_code, rcpt_reply = self.smtp.getreply()
        data_code, data_reply = self.smtp.getreply()
        if data_code == 354 and (mail_code != 250 or rcpt_code not in (250, 251)):
            # A server that accepted DATA without a recipient: end the empty transaction.
            self.smtp.send(b"." + CRLF)
            self.smtp.getreply()
        if mail_code != 250:
            envelope.error = smtplib.SMTPSenderRefused(mail_code, mail_reply, envelope.sender)
        elif rcpt_code not in (250, 251):
            envelope.error = smtplib.SMTPRecipientsRefused({envelope.to: (rcpt_code, rcpt_reply)})
        elif data_code != 354:
            envelope.error = smtplib.SMTPDataError(data_code, data_reply)
        if envelope.error is not None and data_code != 354:
            self.reset_owed = mail_code == 250  # a transaction left open by MAIL FROM
