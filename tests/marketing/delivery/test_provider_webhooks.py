"""Bounce and complaint webhooks of Amazon SES (SNS), SendGrid, Brevo and Mailjet, with each
provider's documented events: an authenticated (and, where the provider signs, signed) hard bounce
or complaint suppresses the address; a soft bounce is counted only; a call without the workspace's
credentials or signature, or with another workspace's, is refused and records nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from core.encryption import encrypt
from modules.marketing.choices import SuppressionReason
from modules.marketing.delivery.choices import RecipientState
from modules.marketing.delivery.models import DeliverySettings, Recipient
from modules.marketing.models import Suppression
from tests.marketing.delivery import provider_payloads as payloads
from tests.marketing.delivery.conftest import audience, marketing_email
from tests.service.mail.fake_providers import FakeProviders, running_fake_providers, sns_sign
from tests.tenancy import TenantFixture

PROVIDERS = ("amazon-ses", "sendgrid", "brevo", "mailjet")


@pytest.fixture
def sns(settings: Any) -> Iterator[FakeProviders]:
    """SNS's certificate (and subscription confirmation) served locally, and allowed as SNS's."""
    with running_fake_providers() as fake:
        settings.AMAZON_SNS_URL_PATTERN = r"^http://127\.0\.0\.1:\d+/sns/"
        yield fake


def configure(fixture: TenantFixture, *, password: str = payloads.WEBHOOK_PASSWORD, **extra: Any) -> Recipient:
    with fixture.active():
        DeliverySettings.objects.create(webhook_user=payloads.WEBHOOK_USER, webhook_password=encrypt(password), **extra)
        segment, (contact,) = audience(1, prefix="feedback")
        return Recipient.objects.create(
            email=marketing_email(segment), contact=contact, address=contact.email, state=RecipientState.SENT,
            message_id=f"<fb.{contact.pk}@alpha.example>", sent_at=timezone.now(),
        )  # fmt: skip


def call(
    fixture: TenantFixture, provider: str, recipient: Recipient, kind: str, sns: FakeProviders, **options: Any
) -> tuple[bytes, dict[str, str]]:
    """The body and headers the provider posts for a ``kind`` event ("hard", "soft", "complaint")."""
    if provider == "amazon-ses":
        ses_kind = "Complaint" if kind == "complaint" else "Bounce"
        message = payloads.ses_feedback(
            recipient, ses_kind, f"{sns.url}/sns/cert.pem", bounce_type="Transient" if kind == "soft" else "Permanent"
        )
        return json.dumps(message).encode(), payloads.ses_headers(message)
    if provider == "sendgrid":
        events = payloads.sendgrid_events(
            recipient, "spamreport" if kind == "complaint" else "bounce",
            bounce_type="blocked" if kind == "soft" else "bounce",
        )  # fmt: skip
        return json.dumps(events).encode(), {}
    if provider == "brevo":
        brevo_kind = {"hard": "hard_bounce", "soft": "soft_bounce", "complaint": "spam"}[kind]
        return json.dumps(payloads.brevo_event(recipient, brevo_kind)).encode(), {}
    event = payloads.mailjet_event(recipient, "spam" if kind == "complaint" else "bounce", hard=kind == "hard")
    return json.dumps([event]).encode(), {}


def post(fixture: TenantFixture, provider: str, body: bytes, **headers: str):  # type: ignore[no-untyped-def]
    # As a provider calls: no session, no CSRF token (the views are exempt; the client checks it).
    client = Client(enforce_csrf_checks=True, HTTP_HOST=fixture.host)
    return client.post(f"/marketing/webhooks/{provider}/", body, content_type="application/json", **headers)


def state(fixture: TenantFixture, recipient: Recipient) -> tuple[str, int, str | None]:
    with fixture.active():
        recipient.refresh_from_db()
        found = Suppression.objects.filter(email=recipient.address).first()
        return recipient.state, recipient.soft_bounces, found.reason if found else None


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_authenticated_hard_bounce_suppresses_the_address(
    alpha: TenantFixture, sns: FakeProviders, provider: str
) -> None:
    recipient = configure(alpha)
    body, headers = call(alpha, provider, recipient, "hard", sns)

    response = post(alpha, provider, body, **headers, **payloads.basic())

    assert response.status_code == 200, response.content
    assert state(alpha, recipient) == (RecipientState.BOUNCED, 0, SuppressionReason.HARD_BOUNCE)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_complaint_suppresses_and_a_soft_bounce_is_only_counted(
    alpha: TenantFixture, sns: FakeProviders, provider: str
) -> None:
    recipient = configure(alpha)
    soft_body, soft_headers = call(alpha, provider, recipient, "soft", sns)

    soft = post(alpha, provider, soft_body, **soft_headers, **payloads.basic())
    after_soft = state(alpha, recipient)
    body, headers = call(alpha, provider, recipient, "complaint", sns)
    complaint = post(alpha, provider, body, **headers, **payloads.basic())

    assert (soft.status_code, complaint.status_code) == (200, 200)
    assert after_soft == (RecipientState.SENT, 1, None)
    assert state(alpha, recipient) == (RecipientState.COMPLAINED, 1, SuppressionReason.COMPLAINT)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_missing_wrong_or_another_workspaces_credentials_record_nothing(
    alpha: TenantFixture, beta: TenantFixture, sns: FakeProviders, provider: str
) -> None:
    recipient = configure(alpha)
    configure(beta, password="hook-secret-beta")
    body, headers = call(alpha, provider, recipient, "hard", sns)

    missing = post(alpha, provider, body, **headers)
    wrong = post(alpha, provider, body, **headers, **payloads.basic(password="guess"))
    betas = post(alpha, provider, body, **headers, **payloads.basic(password="hook-secret-beta"))
    # beta's own URL with beta's credentials: alpha's recipient id names nothing of beta's.
    at_beta = post(beta, provider, body, **headers, **payloads.basic(password="hook-secret-beta"))

    # SNS sends credentials only after a challenge; the others are refused at once.
    assert missing.status_code == (401 if provider == "amazon-ses" else 400)
    assert (wrong.status_code, betas.status_code, at_beta.status_code) == (400, 400, 200)
    assert state(alpha, recipient) == (RecipientState.SENT, 0, None)
    with beta.active():
        assert not Suppression.objects.exists()


def test_a_workspace_without_credentials_or_marketing_answers_404(alpha: TenantFixture, beta: TenantFixture) -> None:
    from tenants.models import Tenant

    with beta.active():
        DeliverySettings.objects.create(mailgun_signing_key=encrypt("only-mailgun"))
    answers = [post(beta, provider, b"[]", **payloads.basic()).status_code for provider in PROVIDERS]
    with alpha.active():
        DeliverySettings.objects.create(webhook_user=payloads.WEBHOOK_USER, webhook_password=encrypt("x"))
    Tenant.objects.filter(pk=alpha.tenant.pk).update(enabled_modules=["sales"])
    disabled = [post(alpha, provider, b"[]", **payloads.basic(password="x")).status_code for provider in PROVIDERS]

    assert answers == [404, 404, 404, 404]
    assert disabled == [404, 404, 404, 404]


def test_ses_refuses_what_sns_did_not_sign(alpha: TenantFixture, sns: FakeProviders) -> None:
    recipient = configure(alpha)
    body, headers = call(alpha, "amazon-ses", recipient, "hard", sns)
    signed = json.loads(body)
    tampered = {**signed, "Message": signed["Message"].replace("Permanent", "Permanent ")}
    elsewhere = sns_sign({k: v for k, v in signed.items() if k != "Signature"}, "https://attacker.example/cert.pem")

    answers = [
        post(alpha, "amazon-ses", json.dumps(message).encode(), **headers, **payloads.basic()).status_code
        for message in (tampered, elsewhere)
    ]

    assert answers == [400, 400]
    assert state(alpha, recipient) == (RecipientState.SENT, 0, None)


def test_an_sns_subscription_is_confirmed_only_when_signed_and_authenticated(
    alpha: TenantFixture, sns: FakeProviders
) -> None:
    configure(alpha)
    message = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37",
        "TopicArn": payloads.TOPIC,
        "Message": "You have chosen to subscribe to the topic.",
        "Timestamp": "2026-12-07T08:00:00.000Z",
        "SubscribeURL": f"{sns.url}/sns/confirm?Action=ConfirmSubscription&Token=2336412f37",
    }
    signed = sns_sign(message, f"{sns.url}/sns/cert.pem")
    headers = payloads.ses_headers(signed)

    forged = post(alpha, "amazon-ses", json.dumps({**signed, "Token": "other"}).encode(), **headers, **payloads.basic())
    unauthenticated = post(alpha, "amazon-ses", json.dumps(signed).encode(), **headers, **payloads.basic(password="x"))
    assert sns.confirmed == []
    confirmed = post(alpha, "amazon-ses", json.dumps(signed).encode(), **headers, **payloads.basic())

    assert (forged.status_code, unauthenticated.status_code, confirmed.status_code) == (400, 400, 200)
    assert len(sns.confirmed) == 1


def test_sendgrid_with_a_verification_key_needs_its_signature(alpha: TenantFixture, sns: FakeProviders) -> None:
    recipient = configure(alpha, sendgrid_verification_key=payloads.SENDGRID_PUBLIC_KEY)
    body, _headers = call(alpha, "sendgrid", recipient, "hard", sns)
    other = json.dumps(payloads.sendgrid_events(recipient, "spamreport")).encode()

    unsigned = post(alpha, "sendgrid", body, **payloads.basic())
    signed_for_another_body = post(alpha, "sendgrid", body, **payloads.sendgrid_signed(other), **payloads.basic())
    assert state(alpha, recipient) == (RecipientState.SENT, 0, None)
    signed = post(alpha, "sendgrid", body, **payloads.sendgrid_signed(body), **payloads.basic())

    assert (unsigned.status_code, signed_for_another_body.status_code, signed.status_code) == (400, 400, 200)
    assert state(alpha, recipient) == (RecipientState.BOUNCED, 0, SuppressionReason.HARD_BOUNCE)


def test_a_providers_unsubscribe_goes_on_the_suppression_list(alpha: TenantFixture) -> None:
    recipient = configure(alpha)
    body = json.dumps([payloads.mailjet_event(recipient, "unsub")]).encode()

    response = post(alpha, "mailjet", body, **payloads.basic())

    assert response.status_code == 200
    assert state(alpha, recipient)[2] == SuppressionReason.UNSUBSCRIBED
