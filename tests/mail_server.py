"""A real SMTP server for tests (aiosmtpd on a loopback port, in a thread of the test process), and
the ``smtp_server`` fixture that points Django's SMTP backend at it.

Messages it accepts are parsed and kept in ``server.messages``, and their bytes in ``server.raw``
(``server.parse = False`` keeps only the bytes: a send of thousands parses them once, after the send,
rather than in the server's thread while it is running). ``server.refuse(code_and_text)``
makes it answer every message with that reply (``"451 4.3.0 Try again later"``) until
``server.accept()``; ``server.stop()`` closes the port, so a client gets a connection refused, and
``server.start()`` opens it again on the same port. It offers PIPELINING (RFC 2920) as Postfix and
Exim do, unless ``server.pipelining = False``; ``server.unknown_recipients`` are refused at RCPT TO
("550 5.1.1"). ``server.peers`` holds the client's address and
port of each message; ``server.connections`` the number of the SMTP connection (session) each
message came on, 1, 2, … — what tells connections apart even when the client's port is reused.

Use it from any test package: ``from tests.mail_server import smtp_server  # noqa: F401`` in that
package's conftest."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_EHLO(
        self, smtp: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname  # what aiosmtpd does itself when no hook answers EHLO
        if self.server.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, smtp: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address.lower() in self.server.unknown_recipients:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        if self.server.refusal:
            self.server.refused += 1
            return self.server.refusal
        self.server.raw.append(envelope.content)
        if self.server.parse:
            self.server.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        self.server.peers.append(session.peer)
        if not hasattr(session, "connection_number"):  # aiosmtpd makes one session per connection
            self.server.connection_count += 1
            session.connection_number = self.server.connection_count
        self.server.connections.append(session.connection_number)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class MailServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.parse = True
        # The client's (address, port) of each accepted message: one per SMTP connection.
        self.peers: list[tuple[str, int]] = []
        self.connections: list[int] = []
        self.connection_count = 0
        self.refusal = ""
        self.refused = 0
        self.pipelining = True
        self.unknown_recipients: set[str] = set()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(_Handler(self), hostname=HOST, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def refuse(self, reply: str) -> None:
        self.refusal = reply

    def accept(self) -> None:
        self.refusal = ""

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if address in str(message["To"])]


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[MailServer]:
    """A started SMTP server that Django's mail goes to (plain SMTP, no TLS, short timeout)."""
    server = MailServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = HOST, server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()
