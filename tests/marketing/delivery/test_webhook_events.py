"""Signed provider events reach the recipients: a hard bounce and a complaint suppress the
address, a soft bounce is counted, an event naming no recipient of the workspace records nothing."""

from __future__ import annotations

import base64

from django.utils import timezone

from modules.marketing.delivery.choices import RecipientState
from modules.marketing.delivery.models import Recipient
from modules.marketing.models import Suppression
from tests.marketing.delivery.test_webhooks import MAILGUN_KEY, POSTMARK, configure, mailgun_bounce, post
from tests.tenancy import TenantFixture


def test_a_signed_hard_bounce_suppresses_the_address_and_reaches_the_timeline(alpha: TenantFixture) -> None:
    from customization.events.models import DomainEvent
    from modules.contacts.models import TimelineEntry

    recipient = configure(alpha)

    response = post(alpha.client(None), "/marketing/webhooks/mailgun/", mailgun_bounce(recipient, key=MAILGUN_KEY))

    assert response.status_code == 200
    with alpha.active():
        recipient.refresh_from_db()
        assert recipient.state == RecipientState.BOUNCED
        assert Suppression.objects.get(email=recipient.address).reason == "hard_bounce"
        assert TimelineEntry.objects.filter(contact_id=recipient.contact_id, data__event="bounced").count() == 1
        bounced = DomainEvent.objects.filter(type="marketing_email.bounced", record_id=recipient.contact_id)
        assert [event.data for event in bounced] == [{"id": recipient.email_id}]


def test_a_soft_bounce_is_counted_without_suppressing(alpha: TenantFixture) -> None:
    recipient = configure(alpha)

    response = post(
        alpha.client(None),
        "/marketing/webhooks/mailgun/",
        mailgun_bounce(recipient, key=MAILGUN_KEY, severity="temporary"),
    )

    assert response.status_code == 200
    with alpha.active():
        recipient.refresh_from_db()
        assert (recipient.state, recipient.soft_bounces) == (RecipientState.SENT, 1)
        assert not Suppression.objects.filter(email=recipient.address).exists()


def test_postmark_with_the_workspaces_credentials_records_a_complaint(alpha: TenantFixture) -> None:
    recipient = configure(alpha)
    payload = {
        "RecordType": "SpamComplaint", "Type": "SpamComplaint", "Email": recipient.address, "MessageID": "pm-2",
        "Metadata": {"relata_recipient": str(recipient.pk)}, "BouncedAt": timezone.now().isoformat(),
        "Description": "complaint",
    }  # fmt: skip
    auth = "Basic " + base64.b64encode(f"{POSTMARK[0]}:{POSTMARK[1]}".encode()).decode()

    response = post(alpha.client(None), "/marketing/webhooks/postmark/", payload, HTTP_AUTHORIZATION=auth)

    assert response.status_code == 200
    with alpha.active():
        recipient.refresh_from_db()
        assert recipient.state == RecipientState.COMPLAINED
        assert Suppression.objects.get(email=recipient.address).reason == "complaint"


def test_an_event_for_another_workspaces_recipient_records_nothing(alpha: TenantFixture, beta: TenantFixture) -> None:
    alphas = configure(alpha)
    betas = configure(beta)
    with beta.active():
        Recipient.objects.filter(pk=betas.pk).update(address="someone.else@people.example")
    payload = mailgun_bounce(alphas, key=MAILGUN_KEY)
    payload["event-data"]["user-variables"]["relata_recipient"] = str(betas.pk)

    response = post(beta.client(None), "/marketing/webhooks/mailgun/", payload)

    assert response.status_code == 200  # signed with beta's key too, but names no recipient of beta's
    with beta.active():
        assert Recipient.objects.get(pk=betas.pk).state == RecipientState.SENT
        assert not Suppression.objects.exists()
