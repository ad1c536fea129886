"""SMTP clients that connect to an address checked beforehand while TLS still verifies the host
name (as ``core.mail.imap`` does for IMAP)."""

from __future__ import annotations

import smtplib
import socket
import ssl


class PinnedSMTP(smtplib.SMTP):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self.pinned_address = address
        super().__init__(host, port, timeout=timeout)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection((self.pinned_address, port), timeout)


class PinnedSMTPSSL(smtplib.SMTP_SSL):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self.pinned_address = address
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = socket.create_connection((self.pinned_address, port), timeout)
        wrapped: socket.socket = self.context.wrap_socket(sock, server_hostname=self._host)  # type: ignore[attr-defined]
        return wrapped
