"""A real DNS server for tests (dnslib, UDP on a loopback port, in a thread of the test process)
answering from a zone given as text, and a dnspython resolver that asks only it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import dns.resolver
import pytest
from dnslib.server import DNSServer
from dnslib.zoneresolver import ZoneResolver

HOST = "127.0.0.1"


class _Quiet:
    """dnslib logs every query to stdout; tests want none of it."""

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args: None


@pytest.fixture
def dns_zone() -> Iterator[Callable[[str], dns.resolver.Resolver]]:
    """``dns_zone(zone_text)`` starts a server for the zone and returns a resolver pointed at it."""
    servers: list[Any] = []

    def start(zone: str) -> dns.resolver.Resolver:
        server = DNSServer(ZoneResolver(zone), address=HOST, port=0, logger=_Quiet())
        server.start_thread()
        servers.append(server)
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [HOST]
        resolver.port = int(server.server.server_address[1])
        resolver.lifetime = 3.0
        return resolver

    yield start
    for server in servers:
        server.stop()
