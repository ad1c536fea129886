"""An SMTP server that keeps every message it is given.

``python -m crm_platform.mail_sink.server --dir DIR --port PORT`` listens on the loopback address
and delivers each message into the Maildir ``DIR`` (written to ``tmp/`` then moved to ``new/``, so a
reader never sees half a message). It refuses no recipient and sets no size limit: the point is that
nothing the platform sends in development is lost. The envelope is kept as a real delivery agent
keeps it — ``Return-Path`` and one ``Delivered-To`` per recipient above the message's own headers —
so Bcc recipients, which appear in no header, are still visible.
"""

from __future__ import annotations

import argparse
import mailbox
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def envelope_lines(mail_from: str, recipients: Sequence[str]) -> bytes:
    # Addresses come from the SMTP session; a CR or LF in one would start a header of its own.
    def clean(value: str) -> str:
        return value.replace("\r", "").replace("\n", "")

    lines = [f"Return-Path: <{clean(mail_from)}>"] + [f"Delivered-To: {clean(rcpt)}" for rcpt in recipients]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8", "replace")


class MaildirHandler:
    def __init__(self, directory: Path) -> None:
        self.maildir = mailbox.Maildir(directory, create=True)
        self.delivered = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        raw = envelope_lines(envelope.mail_from or "", envelope.rcpt_tos) + content
        self.maildir.add(mailbox.MaildirMessage(raw))
        self.delivered += 1
        return "250 Message accepted for delivery"


def controller(directory: Path, port: int, host: str = HOST) -> Controller:
    """A started-on-demand SMTP server delivering into ``directory`` (call ``.start()``)."""
    return Controller(
        MaildirHandler(directory),
        hostname=host,
        port=port,
        # No size limit (aiosmtpd's default refuses messages over 32 MiB) and 8BITMIME/SMTPUTF8
        # offered, so a large attachment or a UTF-8 address is kept, not bounced.
        data_size_limit=None,
        enable_SMTPUTF8=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_platform.mail_sink.server")
    parser.add_argument("--dir", type=Path, required=True, help="the Maildir messages are delivered to")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default=HOST)
    arguments = parser.parse_args(argv)
    server = controller(arguments.dir, arguments.port, arguments.host)
    server.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    while not stopped.wait(1):  # a timed wait, so the signal handler runs promptly
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
