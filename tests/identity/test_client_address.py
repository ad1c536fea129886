"""The client address every throttle and audit entry uses: X-Forwarded-For is believed only from a
trusted proxy, and only as far as the chain of trusted proxies goes."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from identity.client_address import client_address

PROXIES = ["10.0.0.0/8", "2001:db8:fe::/48"]


def _address(remote: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_header_is_never_read(settings) -> None:
    # given no trusted proxies (the default)
    settings.TRUSTED_PROXIES = []
    # when a peer sends X-Forwarded-For
    # then the peer is the client
    assert _address("10.0.0.5", "198.51.100.1") == "10.0.0.5"


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("10.0.0.5", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.5", "198.51.100.1, 10.2.3.4", "198.51.100.1"),  # two proxies of ours
        ("10.0.0.5", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own claim left of it is ignored
        ("10.0.0.5", "198.51.100.1:51234", "198.51.100.1"),
        ("2001:db8:fe::2", "[2001:db8:1::7]:443", "2001:db8:1::7"),
        ("::ffff:10.0.0.5", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.5", "", "10.0.0.5"),  # nothing forwarded: the proxy itself
        ("10.0.0.5", "not-an-address, 198.51.100.1", "198.51.100.1"),
        ("10.0.0.5", "198.51.100.1, garbage", "10.0.0.5"),  # our proxy never writes that: no further
    ],
)
def test_a_trusted_proxy_forwards_the_client(settings, remote: str, forwarded: str, client: str) -> None:
    # given trusted proxies
    settings.TRUSTED_PROXIES = PROXIES
    # when a request comes through them
    # then the first address right-to-left that is not a trusted proxy is the client
    assert _address(remote, forwarded) == client


def test_an_untrusted_peer_cannot_choose_its_address(settings) -> None:
    # given trusted proxies
    settings.TRUSTED_PROXIES = PROXIES
    # when a peer outside them sends X-Forwarded-For naming someone else
    # then the peer is the client
    assert _address("203.0.113.9", "198.51.100.1") == "203.0.113.9"
