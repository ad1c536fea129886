"""The address of the client behind a request, the one every throttle and audit entry uses.

Behind a load balancer every connection comes from the balancer, so ``REMOTE_ADDR`` names it and
the client is in ``X-Forwarded-For``. That header is only believed when the connecting peer is one
of ``TRUSTED_PROXIES`` (CIDRs): then it is read from the right, each trusted proxy's entry is
skipped, and the first address not a trusted proxy is the client. Entries left of that are the
client's own claim and are ignored, so nobody can pick the address they are counted under. With
no trusted proxies (the default) the header is never read."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in configured if cidr.strip())


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _parse(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address as text ("" when the peer is unknown)."""
    peer_text = str(request.META.get("REMOTE_ADDR") or "")
    peer = _parse(peer_text)
    networks = trusted_proxies()
    if peer is None or not networks or not _is_trusted(peer, networks):
        return str(peer) if peer is not None else peer_text
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    client = peer
    for entry in reversed([part for part in forwarded.split(",") if part.strip()]):
        hop = _parse(entry)
        if hop is None:  # a trusted proxy would not write this: stop at the last address known good
            break
        client = hop
        if not _is_trusted(hop, networks):
            break
    return str(client)
