"""Outgoing HTTP to addresses tenants configure (workflow HTTP actions, webhooks), refusing internal ones.

The host is resolved once, every address it resolves to is checked (no loopback, private,
link-local, reserved, multicast, unspecified or otherwise non-global address unless
``OUTBOUND_HTTP_ALLOW_PRIVATE``; an IPv6 address embedding an IPv4 one is judged by that one),
and the connection goes to the checked address, so a DNS answer cannot change between the check
and the request. Redirects are not followed, proxies are not used. A refused address is never connected to.

Errors: ``InvalidURL`` and ``AddressRefused`` are permanent (the configuration is wrong),
``Unreachable`` (no DNS answer, connection refused, timeout) may pass. Any HTTP answer, whatever
its status, is a ``Response``: callers decide what a status means."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 10
MAX_BODY = 64 * 1024


class OutboundError(Exception):
    """A request that could not be made; ``str(error)`` is fit to show to the tenant's admin."""


class InvalidURL(OutboundError):
    """The URL is not an absolute http(s) URL with a host."""


class AddressRefused(OutboundError):
    """The host resolves to an internal address; nothing was sent."""


class Unreachable(OutboundError):
    """The host could not be resolved, connected to, or did not answer in time."""


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    duration_ms: int
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case


_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[list[ipaddress.IPv4Address], bool]:
    """The IPv4 addresses an IPv6 address carries, and whether it is only a way of writing them.

    IPv4-mapped (``::ffff:0:0/96``), IPv4-compatible (``::/96``) and NAT64 (``64:ff9b::/96``)
    addresses reach the IPv4 host they embed, so they are that host (True). 6to4 (``2002::/16``)
    and Teredo (``2001::/32``, server and client) route through the embedded hosts, so both the
    IPv6 address and what it embeds must be public (False). A connection to any of them can end at
    the IPv4 address inside, whatever the IPv6 prefix looks like to a naive check."""
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped], True
    if ip in _NAT64_WELL_KNOWN or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)], True
    if ip.sixtofour is not None:
        return [ip.sixtofour], False
    if ip.teredo is not None:
        return list(ip.teredo), False
    return [], False


def is_public_address(address: str) -> bool:
    """Whether ``address`` (an IP literal, maybe with an IPv6 zone) is a public unicast address;
    an IPv6 address embedding an IPv4 one is judged by that one too (``embedded_ipv4``)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded, only_a_notation = embedded_ipv4(ip)
        if not all(_is_public(inner) for inner in embedded):
            return False
        if only_a_notation:
            return True
    return _is_public(ip)


def private_addresses_allowed() -> bool:
    return bool(getattr(settings, "OUTBOUND_HTTP_ALLOW_PRIVATE", False))


def split_url(url: str) -> SplitResult:
    """``url`` split; raises ``InvalidURL`` unless it is http(s) with a host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a malformed port)
    except ValueError as error:
        raise InvalidURL(_("The URL must start with http:// or https:// and name a host.")) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidURL(_("The URL must start with http:// or https:// and name a host."))
    return parts


def default_port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int) -> str:
    """The address to connect to for ``host``; raises ``AddressRefused`` when any address it
    resolves to is internal, ``Unreachable`` when it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Unreachable(_("%(host)s could not be resolved: %(error)s") % {"host": host, "error": error}) from error
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise Unreachable(_("%(host)s has no address.") % {"host": host})
    if not private_addresses_allowed():
        refused = [address for address in addresses if not is_public_address(address)]
        if refused:
            raise AddressRefused(
                _("%(host)s resolves to an internal address (%(address)s); requests there are refused.")
                % {"host": host, "address": refused[0]}
            )
    return addresses[0]


def check_destination(url: str) -> None:
    """Raise the ``OutboundError`` a request to ``url`` would meet before connecting (at save time)."""
    parts = split_url(url)
    resolve(str(parts.hostname), default_port(parts))


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


def send(
    method: str,
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float = TIMEOUT_SECONDS,
    max_body: int = MAX_BODY,
) -> Response:
    """Send the request to the checked address and return the answer (any status); at most
    ``max_body`` bytes of the answer are read."""
    parts = split_url(url)
    host = str(parts.hostname)
    port = default_port(parts)
    address = resolve(host, port)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    try:
        connection.request(method, target, body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read(max_body).decode("utf-8", "replace")
        answer_headers = {name.lower(): value for name, value in answer.getheaders()}
    except (TimeoutError, OSError, http.client.HTTPException) as error:
        raise Unreachable(
            _("%(host)s did not answer: %(error)s") % {"host": host, "error": f"{type(error).__name__}: {error}"}
        ) from error
    finally:
        connection.close()
    return Response(answer.status, text, round((time.monotonic() - started) * 1000), answer_headers)
