"""Provider tracking webhooks: the workspace's own secret, a refused call records nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from core.encryption import encrypt
from modules.marketing.delivery.choices import RecipientState
from modules.marketing.delivery.models import DeliverySettings, Recipient
from modules.marketing.models import Suppression
from tests.marketing.delivery.conftest import audience, marketing_email
from tests.tenancy import TenantFixture

MAILGUN_KEY = "key-mailgun-alpha"
POSTMARK = ("postmark", "secret-alpha")


def configure(fixture: TenantFixture) -> Recipient:
    with fixture.active():
        DeliverySettings.objects.create(
            webhook_user=POSTMARK[0], webhook_password=encrypt(POSTMARK[1]),
            mailgun_signing_key=encrypt(MAILGUN_KEY),
        )  # fmt: skip
        segment, (contact,) = audience(1, prefix="bouncy")
        email = marketing_email(segment)
        return Recipient.objects.create(
            email=email, contact=contact, address=contact.email, state=RecipientState.SENT,
            message_id="<b@alpha.example>", sent_at=timezone.now(),
        )  # fmt: skip


def mailgun_bounce(recipient: Recipient, *, key: str, severity: str = "permanent") -> dict[str, Any]:
    timestamp, token = str(int(timezone.now().timestamp())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": "failed", "severity": severity, "reason": "bounce", "recipient": recipient.address,
            "timestamp": timezone.now().timestamp(), "id": "evt-1",
            "message": {"headers": {"message-id": "provider-1"}},
            "user-variables": {"relata_recipient": str(recipient.pk)},
            "delivery-status": {"code": 550, "message": "No such user", "description": "mailbox unknown"},
        },
    }  # fmt: skip


def post(client: Client, path: str, payload: dict[str, Any], **headers: str):  # type: ignore[no-untyped-def]
    return client.post(path, json.dumps(payload), content_type="application/json", **headers)


def test_an_unsigned_or_wrongly_signed_mailgun_call_is_refused_and_records_nothing(alpha: TenantFixture) -> None:
    recipient = configure(alpha)
    client = alpha.client(None)
    unsigned = mailgun_bounce(recipient, key=MAILGUN_KEY)
    unsigned.pop("signature")

    responses = [
        post(client, "/marketing/webhooks/mailgun/", unsigned),
        post(client, "/marketing/webhooks/mailgun/", mailgun_bounce(recipient, key="someone-elses-key")),
    ]

    assert [response.status_code for response in responses] == [400, 400]
    with alpha.active():
        recipient.refresh_from_db()
        assert recipient.state == RecipientState.SENT
        assert not Suppression.objects.filter(email=recipient.address).exists()


def test_postmark_without_the_workspaces_basic_auth_is_refused(alpha: TenantFixture) -> None:
    recipient = configure(alpha)
    payload = {
        "RecordType": "Bounce", "Type": "HardBounce", "Email": recipient.address, "MessageID": "pm-1",
        "Metadata": {"relata_recipient": str(recipient.pk)}, "BouncedAt": timezone.now().isoformat(),
        "Description": "mailbox unknown",
    }  # fmt: skip
    wrong = "Basic " + base64.b64encode(b"postmark:guess").decode()

    responses = [
        post(alpha.client(None), "/marketing/webhooks/postmark/", payload),
        post(alpha.client(None), "/marketing/webhooks/postmark/", payload, HTTP_AUTHORIZATION=wrong),
    ]

    assert [response.status_code for response in responses] == [400, 400]
    with alpha.active():
        recipient.refresh_from_db()
        assert recipient.state == RecipientState.SENT
        assert not Suppression.objects.filter(email=recipient.address).exists()


def test_a_workspace_without_webhook_secrets_answers_404(beta: TenantFixture) -> None:
    response = post(beta.client(None), "/marketing/webhooks/mailgun/", {"signature": {}})

    assert response.status_code == 404
