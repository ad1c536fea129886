"""Double opt-in end to end through a real SMTP server: the request marks consent pending and mails
a signed link in the contact's language; opening it asks (a GET grants nothing), confirming grants
the consent once with the request and the click as proof."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.choices import ConsentAction, ConsentSource, ConsentStatus
from modules.marketing.consent.models import Consent, ConsentEvent, OptInRequest
from modules.marketing.consent.services import may_email, start_double_opt_in, suppress
from tests.factories import ContactFactory
from tests.mail_server import MailServer
from tests.marketing.consent.conftest import make_topic
from tests.tenancy import TenantFixture


def _link(server: MailServer) -> str:
    (message,) = server.messages
    body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"https?://[^/\s]+(/m/confirm/[^\s]+/)", body)
    assert found is not None, body
    return found.group(1)


def test_double_opt_in_round_trip(
    alpha: TenantFixture, smtp_server: MailServer, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    with alpha.active():
        topic = make_topic()
        contact = ContactFactory(email="new@example.com", first_name="Ioana")
        with django_capture_on_commit_callbacks(execute=True):
            request = start_double_opt_in(
                contact, topic, source=ConsentSource.FORM,
                proof={"form": 12, "ip": "198.51.100.4", "user_agent": "Safari", "language": "ro"},
            )  # fmt: skip
        assert request is not None
        assert Consent.objects.get().status == ConsentStatus.PENDING
        assert not may_email(contact, topic)

    (message,) = smtp_server.messages
    assert message["To"] == "new@example.com"
    assert "Newsletter" in message["Subject"]
    path = _link(smtp_server)

    client = Client(HTTP_HOST=alpha.host, HTTP_USER_AGENT="Mobile Safari")
    asked = client.get(path)
    assert asked.status_code == 200
    assert asked["Content-Language"] == "ro"
    with alpha.active():
        assert Consent.objects.get().status == ConsentStatus.PENDING  # a scanner's GET grants nothing

    assert client.post(path).status_code == 200
    assert client.post(path).status_code == 200  # twice: once recorded
    with alpha.active():
        assert may_email(contact, topic)
        confirmed = ConsentEvent.objects.get(action=ConsentAction.CONFIRMED)
        assert confirmed.proof["opt_in"] == request.pk
        assert confirmed.proof["form"] == 12
        assert confirmed.proof["confirmed_ip"] == "127.0.0.1"
        assert confirmed.proof["confirmed_user_agent"] == "Mobile Safari"
        assert OptInRequest.objects.get().confirmed_at is not None
        sent = ConsentEvent.objects.get(action=ConsentAction.CONFIRMATION_SENT)
        assert sent.proof["opt_in"] == request.pk


def test_another_workspace_cannot_confirm(
    alpha: TenantFixture, beta: TenantFixture, smtp_server: MailServer, eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with alpha.active():
        contact = ContactFactory(email="new@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            start_double_opt_in(contact, make_topic(), source=ConsentSource.FORM, proof={})
    path = _link(smtp_server)
    with beta.active():
        make_topic()
    assert Client(HTTP_HOST=beta.host).post(path).status_code == 404
    assert Client(HTTP_HOST=alpha.host).post(path[:-3] + "x/").status_code == 404
    with alpha.active():
        assert Consent.objects.get().status == ConsentStatus.PENDING
    with beta.active():
        assert not Consent.objects.exists()
        assert not ConsentEvent.objects.exists()


def test_no_confirmation_goes_to_a_bounced_or_already_subscribed_address(
    alpha: TenantFixture, smtp_server: MailServer, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    with alpha.active():
        topic = make_topic()
        bounced = ContactFactory(email="bounced@example.com")
        suppress("bounced@example.com", reason=SuppressionReason.HARD_BOUNCE, source="ses")
        with django_capture_on_commit_callbacks(execute=True):
            assert start_double_opt_in(bounced, topic, source=ConsentSource.FORM, proof={}) is None
        assert not OptInRequest.objects.exists()
    assert smtp_server.messages == []
