"""Sending domains: the records to publish follow the sending settings, and "check" looks them up
in a real DNS server (started on the loopback) and keeps pass or fail per record."""

from __future__ import annotations

from collections.abc import Callable

import dns.resolver
import pytest
from django.core.exceptions import ValidationError

from modules.marketing.email.choices import RecordState
from modules.marketing.email.models import SendingDomain
from modules.marketing.email.services.domains import add_domain, check_domain, expected_records
from modules.marketing.email.services.settings import update_settings
from tests.tenancy import TenantFixture

KEY = (
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/zYtIxN2SnFCjxOCKG9v3b4j"
    "YfcTNh5ijSaq4KjrmZC2xCRJ9JJ0MZTCEX8mMUbgtyCMKdcdSnYRPrMVBIbB6ilNtJvZ1SDXpvgE5C1hM4UedK6gNxRaDp9ZS60F9nMWJ8F4rfQIDAQAB"
)


@pytest.fixture
def sendgrid(alpha: TenantFixture) -> None:
    with alpha.active():
        update_settings(by=None, method="service", provider="sendgrid", api_key="SG.key")


def _domain(alpha: TenantFixture) -> SendingDomain:
    with alpha.active():
        return add_domain(
            by=None, domain="News.ACME.example", dkim_selector="s1", dkim_value=f"v=DKIM1; k=rsa; p={KEY}"
        )


def test_the_records_to_publish_follow_the_e_mail_service(alpha: TenantFixture, sendgrid: None) -> None:
    domain = _domain(alpha)
    with alpha.active():
        records = {record.key: record for record in expected_records(domain)}

    assert domain.domain == "news.acme.example"
    assert (records["spf"].name, records["spf"].value) == ("news.acme.example", "v=spf1 include:sendgrid.net ~all")
    assert records["dkim"].name == "s1._domainkey.news.acme.example"
    assert records["dkim"].kind == "TXT"
    assert records["dmarc"].name == "_dmarc.news.acme.example"


def test_a_domain_with_its_records_published_passes_and_becomes_verified(
    alpha: TenantFixture, sendgrid: None, dns_zone: Callable[[str], dns.resolver.Resolver]
) -> None:
    domain = _domain(alpha)
    resolver = dns_zone(
        f"""
news.acme.example. 300 IN TXT "v=spf1 include:_spf.google.com include:sendgrid.net ~all"
news.acme.example. 300 IN TXT "google-site-verification=abc"
s1._domainkey.news.acme.example. 300 IN TXT "v=DKIM1; k=rsa; " "p={KEY[:100]}" "{KEY[100:]}"
_dmarc.news.acme.example. 300 IN TXT "v=DMARC1; p=quarantine"
"""
    )
    with alpha.active():
        checked = check_domain(domain, resolver=resolver)

    assert (checked.spf_state, checked.dkim_state, checked.dmarc_state) == (RecordState.PASS,) * 3
    assert checked.is_verified
    assert checked.found["spf"][0].startswith("v=spf1")


def test_missing_or_wrong_records_fail_and_take_the_verification_back(
    alpha: TenantFixture, sendgrid: None, dns_zone: Callable[[str], dns.resolver.Resolver]
) -> None:
    domain = _domain(alpha)
    good = dns_zone(
        f"""
news.acme.example. 300 IN TXT "v=spf1 include:sendgrid.net ~all"
s1._domainkey.news.acme.example. 300 IN TXT "v=DKIM1; k=rsa; p={KEY}"
"""
    )
    wrong = dns_zone(
        """
news.acme.example. 300 IN TXT "v=spf1 include:mailgun.org ~all"
s1._domainkey.news.acme.example. 300 IN TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAother"
"""
    )
    with alpha.active():
        assert check_domain(domain, resolver=good).is_verified
        checked = check_domain(domain, resolver=wrong)

    assert (checked.spf_state, checked.dkim_state, checked.dmarc_state) == (RecordState.FAIL,) * 3
    assert not checked.is_verified
    with alpha.active():
        assert SendingDomain.objects.get().verified_at is None


def test_a_bad_domain_is_refused_naming_the_field(alpha: TenantFixture) -> None:
    with alpha.active():
        for bad in ("not a domain", "x" * 300 + ".com", "evil\x00.com"):
            with pytest.raises(ValidationError) as refused:
                add_domain(by=None, domain=bad)
            assert "domain" in refused.value.message_dict
        assert not SendingDomain.objects.exists()
