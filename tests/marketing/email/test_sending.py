"""How marketing e-mail leaves: the tenant's SMTP server (password encrypted at rest) or an e-mail
service through anymail, the platform's mail otherwise; test sends through that connection; and a
From address refused until its domain is verified."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.encryption import decrypt
from modules.marketing.email.models import SendingDomain, SendingSettings
from modules.marketing.email.sending import SenderRefused, outgoing_connection, sender_for
from modules.marketing.email.services.proofs import LIMIT, MAX_ADDRESSES, TooManyTests, send_test
from modules.marketing.email.services.settings import current_settings, update_settings
from tests.factories import ContactFactory
from tests.mail_server import MailServer
from tests.marketing.email.conftest import make_email
from tests.tenancy import TenantFixture


def _smtp(server: MailServer, **values: object) -> SendingSettings:
    values = {"smtp_user": "mailer", "smtp_password": "s3cret-smtp", **values}
    return update_settings(
        by=None, method="smtp", smtp_host="127.0.0.1", smtp_port=server.port, smtp_security="none", **values
    )


def test_the_smtp_password_is_stored_encrypted_and_the_connection_uses_it(
    alpha: TenantFixture, smtp_server: MailServer
) -> None:
    with alpha.active():
        _smtp(smtp_server)
        row = SendingSettings.objects.get()
        assert row.smtp_password.startswith("fernet:")
        assert "s3cret" not in row.smtp_password
        assert decrypt(row.smtp_password) == "s3cret-smtp"

        update_settings(by=None, smtp_password="", postal_address="1 Main St")  # blank keeps the stored secret
        connection = outgoing_connection()
        assert (connection.host, connection.port, connection.username) == ("127.0.0.1", smtp_server.port, "mailer")
        assert connection.password == "s3cret-smtp"
        assert not connection.use_tls
        assert not connection.use_ssl


def test_an_e_mail_service_gets_its_key_as_backend_settings(alpha: TenantFixture) -> None:
    with alpha.active():
        update_settings(by=None, method="service", provider="postmark", api_key="pm-token-1")
        connection = outgoing_connection()
        assert type(connection).__module__ == "anymail.backends.postmark"
        assert connection.server_token == "pm-token-1"

        update_settings(by=None, provider="mailgun", api_key="mg-key", sender_domain="mg.acme.example", region="eu")
        connection = outgoing_connection()
        assert (connection.api_key, connection.sender_domain) == ("mg-key", "mg.acme.example")
        assert connection.api_url.startswith("https://api.eu.mailgun.net/")


def test_incomplete_settings_are_refused_naming_the_field(alpha: TenantFixture) -> None:
    with alpha.active():
        with pytest.raises(ValidationError) as no_host:
            update_settings(by=None, method="smtp", smtp_host="")
        assert "smtp_host" in no_host.value.message_dict
        with pytest.raises(ValidationError) as no_region:
            update_settings(by=None, method="service", provider="amazon_ses", api_key="AKIA1", api_secret="x")
        assert "region" in no_region.value.message_dict
        with pytest.raises(ValidationError) as nul:
            update_settings(by=None, method="service", provider="sendgrid", api_key="a\x00b")
        assert "api_key" in nul.value.message_dict
        assert current_settings().method == "platform"


def test_a_test_send_goes_through_the_tenants_smtp_server_marked_as_a_test(
    alpha: TenantFixture, smtp_server: MailServer, settings: object
) -> None:
    settings.EMAIL_PORT = 9  # type: ignore[attr-defined]  # the platform's mail is not where it goes
    email = make_email(alpha, from_address="news@acme.example", from_name="ACME")
    with alpha.active():
        _smtp(smtp_server, postal_address="ACME SRL, Cluj", smtp_user="")  # the test server has no AUTH
        SendingDomain.objects.create(domain="acme.example", verified_at=timezone.now())
        contact = ContactFactory(first_name="Ioana")

        sent = send_test(email, "one@example.com, Two@example.com", by=alpha.user(), contact=contact)

    assert sent == 2
    assert len(smtp_server.messages) == 2
    message = smtp_server.to("two@example.com")[0]
    assert message["Subject"] == "[Test] Spring news, Ioana"
    assert message["From"] == "ACME <news@acme.example>"
    html = message.get_body(("html",)).get_content()
    assert "Hello Ioana" in html
    assert "ACME SRL, Cluj" in html
    assert "Hello Ioana" in message.get_body(("plain",)).get_content()


def test_test_sends_are_bounded_and_rate_limited(alpha: TenantFixture, smtp_server: MailServer) -> None:
    email = make_email(alpha, from_address="news@acme.example")
    with alpha.active():
        _smtp(smtp_server, smtp_user="")
        SendingDomain.objects.create(domain="acme.example", verified_at=timezone.now())
        with pytest.raises(ValidationError) as too_many:
            send_test(email, [f"r{n}@example.com" for n in range(MAX_ADDRESSES + 1)], by=alpha.user())
        assert "addresses" in too_many.value.message_dict
        with pytest.raises(ValidationError):
            send_test(email, "not-an-address", by=alpha.user())
        user = alpha.user()
        for _ in range(LIMIT):
            send_test(email, "me@example.com", by=user)
        with pytest.raises(TooManyTests):
            send_test(email, "me@example.com", by=user)
    assert len(smtp_server.messages) == LIMIT


def test_an_unverified_sender_domain_is_refused_unless_the_platform_sends(
    alpha: TenantFixture, settings: object
) -> None:
    email = make_email(alpha, from_address="news@unverified.example", from_name="ACME")
    with alpha.active():
        assert sender_for(email).endswith(f"<{settings.DEFAULT_FROM_EMAIL.split('<')[-1]}")  # type: ignore[attr-defined]
        assert sender_for(email).startswith("ACME <")

        update_settings(by=None, method="service", provider="sendgrid", api_key="sg")
        with pytest.raises(SenderRefused) as refused:
            sender_for(email)
        assert "news@unverified.example" in str(refused.value.message_dict["from_address"])

        SendingDomain.objects.create(domain="unverified.example", verified_at=timezone.now())
        assert sender_for(email) == "ACME <news@unverified.example>"
