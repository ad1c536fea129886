"""IPv6 forms that carry an IPv4 address are judged by the address they carry."""

from __future__ import annotations

import pytest

from customization.outbound_http import is_public_address

EMBEDDING_FORMS = [
    # (form, embeds a private IPv4, embeds a public IPv4)
    ("6to4", "2002:c0a8:0101::1", "2002:0808:0808::1"),
    ("6to4 loopback", "2002:7f00:0001::1", "2002:0101:0101::1"),
    ("IPv4-mapped", "::ffff:10.0.0.1", "::ffff:8.8.8.8"),
    ("NAT64", "64:ff9b::a9fe:a9fe", "64:ff9b::808:808"),
    ("IPv4-compatible", "::127.0.0.1", "::8.8.8.8"),
]


@pytest.mark.parametrize(("form", "private", "public"), EMBEDDING_FORMS, ids=[form[0] for form in EMBEDDING_FORMS])
def test_an_ipv6_address_is_judged_by_the_ipv4_address_it_embeds(form: str, private: str, public: str) -> None:
    # given an IPv6 address of each embedding form, once around a private and once around a public IPv4 address
    # when each is judged
    # then only the one around the public address is public
    assert (is_public_address(private), is_public_address(public)) == (False, True)


def test_a_teredo_address_is_refused_whatever_it_embeds() -> None:
    # given Teredo addresses with a private server, a private client, and both public
    private_server = "2001:0:0a00:0001:8000:63bf:f7f7:f7f7"  # server 10.0.0.1, client 8.8.8.8
    private_client = "2001:0:0808:0808:8000:63bf:3f57:fefe"  # server 8.8.8.8, client 192.168.1.1
    both_public = "2001:0:0808:0808:8000:63bf:f7f7:f7f7"  # server and client 8.8.8.8
    # when each is judged
    # then none is public: the embedded addresses are checked, and 2001::/32 itself is not globally reachable
    assert [is_public_address(address) for address in (private_server, private_client, both_public)] == [
        False,
        False,
        False,
    ]


def test_plain_addresses_keep_their_verdict() -> None:
    # given plain public and internal addresses of both families
    addresses = ["8.8.8.8", "2606:4700:4700::1111", "10.0.0.1", "::1", "fe80::1%eth0", "fd00::1", "169.254.169.254"]
    # when each is judged
    # then only the global unicast ones are public
    assert [is_public_address(address) for address in addresses] == [True, True, False, False, False, False, False]
