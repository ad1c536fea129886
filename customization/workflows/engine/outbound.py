"""Outgoing HTTP for workflows, refusing internal addresses.

The host is resolved once, every address it resolves to is checked (no loopback, private,
link-local, reserved, multicast or unspecified address unless ``OUTBOUND_HTTP_ALLOW_PRIVATE``),
and the connection goes to the checked address, so a DNS answer cannot change between the check
and the request. Redirects are not followed."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from customization.workflows.engine.errors import StepError, TransientError

TIMEOUT_SECONDS = 10
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Response:
    status: int
    body: str


def _allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified
    )


def resolve(host: str, port: int) -> str:
    """The address to connect to for ``host``; raises ``StepError`` for a refused one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise TransientError(_("%(host)s could not be resolved: %(error)s") % {"host": host, "error": error}) from error
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise TransientError(_("%(host)s has no address.") % {"host": host})
    if not getattr(settings, "OUTBOUND_HTTP_ALLOW_PRIVATE", False):
        refused = [address for address in addresses if not _allowed(address)]
        if refused:
            raise StepError(
                _("%(host)s resolves to an internal address (%(address)s); requests there are refused.")
                % {"host": host, "address": refused[0]}
            )
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def send(method: str, url: str, *, body: bytes, headers: dict[str, str]) -> Response:
    """Send the request; a 5xx, 429, timeout or connection error raises ``TransientError``, another
    non-2xx answer ``StepError``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StepError(_("The URL must start with http:// or https:// and name a host."))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve(parts.hostname, port)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address, TIMEOUT_SECONDS)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(method, target, body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read(MAX_BODY).decode("utf-8", "replace")
    except (TimeoutError, OSError, http.client.HTTPException) as error:
        raise TransientError(
            _("%(host)s did not answer: %(error)s")
            % {"host": parts.hostname, "error": f"{type(error).__name__}: {error}"}
        ) from error
    finally:
        connection.close()
    if answer.status >= 500 or answer.status == 429:
        raise TransientError(_("%(host)s answered %(status)s.") % {"host": parts.hostname, "status": answer.status})
    if not 200 <= answer.status < 300:
        raise StepError(
            _("%(host)s answered %(status)s: %(text)s")
            % {"host": parts.hostname, "status": answer.status, "text": text[:200]}
        )
    return Response(answer.status, text)
