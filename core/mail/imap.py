"""IMAP clients that connect to an address checked beforehand (no second DNS answer between the
check and the connection), and small helpers both IMAP readers of the platform use."""

from __future__ import annotations

import imaplib
import re
import socket
import ssl

TIMEOUT = 30


class PinnedIMAP4(imaplib.IMAP4):
    """Connects to ``address`` (the checked resolution of ``host``)."""

    def __init__(self, host: str, port: int, address: str, timeout: float = TIMEOUT) -> None:
        self.pinned_address = address
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        return socket.create_connection((self.pinned_address, self.port), timeout)


class PinnedIMAP4SSL(imaplib.IMAP4_SSL):
    def __init__(self, host: str, port: int, address: str, timeout: float = TIMEOUT) -> None:
        self.pinned_address = address
        super().__init__(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        sock = socket.create_connection((self.pinned_address, self.port), timeout)
        wrapped: socket.socket = self.ssl_context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
        return wrapped


def quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uidvalidity(client: imaplib.IMAP4, folder: str) -> int:
    """The selected folder's UIDVALIDITY (from the SELECT answer, else asked with STATUS)."""
    _typ, data = client.response("UIDVALIDITY")
    if data and data[0]:
        return int(data[0])
    _typ, status = client.status(quoted(folder), "(UIDVALIDITY)")
    match = re.search(rb"UIDVALIDITY (\d+)", status[0] or b"")
    return int(match.group(1)) if match else 0
