"""A local SMTP sink for the marketing-send benchmark: aiosmtpd on a loopback port, in a process of its
own (so neither the engine's workers nor the smtplib baseline share its interpreter), writing the
Message-ID of every message it accepts to a file, one a line. It offers PIPELINING (RFC 2920), as
Postfix and Exim do, unless started with ``--no-pipelining``.

    python -m loadtests.smtp_sink PORT OUTPUT [--no-pipelining]   # "ready" once it listens; stops on SIGTERM

The file is what the benchmark counts: how many messages arrived, and how many times each
Message-ID did. Only the header is read (a regex over the bytes, not a MIME parse), so the sink
costs the same per message whatever sends it.
"""

from __future__ import annotations

import re
import signal
import sys
import threading
from typing import IO, Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


class CountingHandler:
    def __init__(self, output: IO[bytes], *, pipelining: bool = True) -> None:
        self.output = output
        self.lock = threading.Lock()
        self.pipelining = pipelining

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname  # what aiosmtpd does itself when no hook answers EHLO
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        content = envelope.original_content or envelope.content
        head = content.split(b"\r\n\r\n", 1)[0]
        found = _MESSAGE_ID.search(head)
        with self.lock:
            # Written through at once: a sink that dies loses no message it accepted.
            self.output.write((found.group(1) if found else b"-") + b"\n")
            self.output.flush()
        return "250 Message accepted for delivery"


def main(port: int, path: str, pipelining: bool = True) -> int:
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    with open(path, "ab") as output:
        handler = CountingHandler(output, pipelining=pipelining)
        controller = Controller(handler, hostname=HOST, port=port, decode_data=False)
        controller.start()
        print("ready", flush=True)
        stopped.wait()
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), sys.argv[2], pipelining="--no-pipelining" not in sys.argv[3:]))
