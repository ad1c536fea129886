"""SMTP pipelining (RFC 2920): through a server that offers it, a batch's messages cost one write
each — the content, its "." and the next message's envelope together — and arrive as they do
without it; a server that does not offer it gets one command at a time. An unknown recipient's
refused envelope fails that message only; the rest of the batch stays on its connection."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest

from modules.marketing.delivery.models import Recipient
from modules.marketing.delivery.services import engine
from modules.marketing.delivery.services.engine import deliver
from modules.marketing.delivery.services.messages import MessageBuilder
from modules.marketing.delivery.services.sends import start_send
from tests.mail_server import MailServer
from tests.marketing.delivery.conftest import audience, marketing_email, unlimited_rate
from tests.tenancy import TenantFixture

SIZE = 10
# A text line that begins with a dot: written "..", read back "." (dot-stuffing, RFC 5321 4.5.2).
CONTENT = [{"type": "text", "html": "<p>.dot first, for {{ contact.first_name }}</p>"}]


def _writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the client's writes to the SMTP socket (smtplib writes each command or group in one)."""
    writes: list[int] = []
    original = smtplib.SMTP.send

    def counted(self: smtplib.SMTP, data: Any) -> None:
        writes.append(len(data))
        original(self, data)

    monkeypatch.setattr(smtplib.SMTP, "send", counted)
    return writes


def _send(prefix: str) -> tuple[Any, list[Recipient]]:
    unlimited_rate()
    segment, _contacts = audience(SIZE, prefix=prefix)
    email = marketing_email(segment, name=f"{prefix} news", content=CONTENT)
    start_send(email, by=None)
    outcome = deliver(email.pk)
    return outcome, list(Recipient.objects.filter(email=email).select_related("contact").order_by("pk"))


@pytest.mark.parametrize("pipelining", [True, False])
def test_a_batch_costs_one_write_per_message_when_the_server_pipelines(
    alpha: TenantFixture, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch, pipelining: bool
) -> None:
    smtp_server.pipelining = pipelining
    with alpha.active():
        writes = _writes(monkeypatch)
        outcome, rows = _send("piped" if pipelining else "unpiped")

    assert outcome.sent == SIZE
    assert {row.state for row in rows} == {"sent"}
    # EHLO and QUIT, then per message: pipelined, its content with the next envelope (the first
    # envelope alone); else MAIL FROM, RCPT TO, DATA and the content, each written and answered.
    assert len(writes) == (2 + 1 + SIZE if pipelining else 2 + 4 * SIZE)
    assert smtp_server.connections == [1] * SIZE
    received = {str(message["Message-ID"]): message for message in smtp_server.messages}
    assert sorted(received) == sorted(row.message_id for row in rows)
    for row in rows:
        message = received[row.message_id]
        assert str(message["To"]) == row.address
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert f".dot first, for {row.contact.first_name}" in text


@pytest.mark.parametrize("pipelining", [True, False])
def test_the_server_receives_exactly_the_bytes_the_engine_wrote(
    alpha: TenantFixture, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch, pipelining: bool
) -> None:
    smtp_server.pipelining = pipelining
    smtp_server.parse = False
    written: list[bytes] = []
    original = MessageBuilder.raw

    def kept(self: MessageBuilder, row: Recipient) -> tuple[str, str, bytes]:
        sender, to, data = original(self, row)
        written.append(data)
        return sender, to, data

    monkeypatch.setattr(MessageBuilder, "raw", kept)
    with alpha.active():
        _send("bytes")

    assert len(written) == SIZE
    assert [raw.rstrip(b"\r\n") for raw in smtp_server.raw] == [data.rstrip(b"\r\n") for data in written]
    assert any(b"\r\n.dot first" in data for data in written)  # stuffed on the wire, unstuffed on arrival


def test_an_unknown_recipient_fails_alone_and_the_batch_keeps_its_connection(
    alpha: TenantFixture, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "batch_size", lambda: SIZE)
    smtp_server.unknown_recipients = {"gone3@people.example", "gone9@people.example"}  # the 4th and the last
    with alpha.active():
        outcome, rows = _send("gone")

    states = {row.address: (row.state, row.error) for row in rows}
    assert (outcome.sent, outcome.failed) == (SIZE - 2, 2)
    for address in smtp_server.unknown_recipients:
        state, error = states.pop(address)
        assert state == "failed"
        assert "550" in error
        assert "No such user" in error
    assert {state for state, _error in states.values()} == {"sent"}
    assert smtp_server.connections == [1] * (SIZE - 2)
    assert sorted(str(message["To"]) for message in smtp_server.messages) == sorted(states)


def test_a_try_later_reply_to_the_content_is_retried_with_the_rest_sent(
    alpha: TenantFixture, smtp_server: MailServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server answers the third message's "." with 451, through the pipelined group.
    answered = 0
    original = smtp_server.controller.handler.handle_DATA  # type: ignore[union-attr]

    async def refusing_third(server: Any, session: Any, envelope: Any) -> str:
        nonlocal answered
        answered += 1
        if answered == 3:
            return "451 4.3.0 Try again later"
        return await original(server, session, envelope)

    monkeypatch.setattr(smtp_server.controller.handler, "handle_DATA", refusing_third)  # type: ignore[union-attr]
    with alpha.active():
        outcome, rows = _send("later")

    assert (outcome.sent, outcome.retried) == (SIZE - 1, 1)
    retried = [row for row in rows if row.state == "queued"]
    assert len(retried) == 1
    assert retried[0].next_attempt_at is not None
    assert "451" in retried[0].error
    assert len(smtp_server.messages) == SIZE - 1
