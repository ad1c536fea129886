"""The double opt-in confirmation leaves through the workspace's marketing sending settings (here
its own SMTP server, a real one the test starts) from its default sender, not through the
platform's mail; a default sender whose domain is not verified sends nothing and the consent stays
pending."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.utils import timezone

from modules.marketing.consent.choices import ConsentSource, ConsentStatus
from modules.marketing.consent.models import Consent
from modules.marketing.consent.services import start_double_opt_in
from modules.marketing.email.models import SendingDomain
from modules.marketing.email.services.settings import update_settings
from tests.factories import ContactFactory
from tests.mail_server import HOST, MailServer
from tests.marketing.consent.conftest import make_topic
from tests.tenancy import TenantFixture

PLATFORM_MAIL = "django.core.mail.backends.locmem.EmailBackend"


def _tenant_smtp(server: MailServer, *, sender: str) -> None:
    update_settings(
        by=None, method="smtp", smtp_host=HOST, smtp_port=server.port, smtp_security="none",
        default_from_name="Alpha News", default_from_address=sender,
    )  # fmt: skip


def test_the_confirmation_goes_through_the_workspaces_smtp_server_from_its_sender(
    alpha: TenantFixture, smtp_server: MailServer, settings: Any, eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    settings.EMAIL_BACKEND = PLATFORM_MAIL  # the platform's mail no longer reaches the server
    with alpha.active():
        SendingDomain.objects.create(domain="news.alpha.example", verified_at=timezone.now())
        _tenant_smtp(smtp_server, sender="hello@news.alpha.example")
        contact = ContactFactory(email="reader@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            start_double_opt_in(contact, make_topic(), source=ConsentSource.FORM, proof={})

    (message,) = smtp_server.messages
    assert message["To"] == "reader@example.com"
    assert message["From"] == "Alpha News <hello@news.alpha.example>"
    assert "Newsletter" in message["Subject"]
    assert "/m/confirm/" in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert mail.outbox == []


def test_an_unverified_default_sender_sends_nothing_and_the_consent_stays_pending(
    alpha: TenantFixture, smtp_server: MailServer, settings: Any, eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    settings.EMAIL_BACKEND = PLATFORM_MAIL
    with alpha.active():
        _tenant_smtp(smtp_server, sender="hello@unverified.example")
        contact = ContactFactory(email="reader@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            request = start_double_opt_in(contact, make_topic(), source=ConsentSource.FORM, proof={})

        assert request is not None
        assert Consent.objects.get(contact=contact).status == ConsentStatus.PENDING
    assert smtp_server.messages == []
    assert mail.outbox == []
