"""Tracking events as Amazon SES (through SNS), SendGrid, Brevo and Mailjet document them, for one
recipient row, and the way each provider authenticates its call: the body and headers a test posts.

- Amazon SES: an SNS ``Notification`` whose ``Message`` is SES's bounce / complaint notification
  (docs.aws.amazon.com/ses/latest/dg/notification-contents.html), signed as SNS signs
  (``tests.service.mail.fake_providers.sns_sign``, the certificate served by the fake provider);
  the message's metadata in its ``X-Metadata`` header, as anymail sends it through SES.
- SendGrid: the event webhook's JSON array (www.twilio.com/docs/sendgrid/for-developers/tracking-
  events/event), metadata as top-level custom args, signed (ECDSA P-256 over timestamp + body)
  when a verification key is used.
- Brevo: one transactional webhook event (developers.brevo.com/docs/transactional-webhooks),
  metadata JSON in ``X-Mailin-custom``.
- Mailjet: the event API's events (dev.mailjet.com/email/guides/webhooks/), metadata JSON in
  ``Payload``.
"""

from __future__ import annotations

import base64
import json
import time
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from modules.marketing.delivery.models import Recipient
from tests.service.mail.fake_providers import sns_sign

WEBHOOK_USER, WEBHOOK_PASSWORD = "relata-hooks", "hook-secret-alpha"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-feedback"


@cache
def _sendgrid_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _sendgrid_public_key() -> str:
    der = (
        _sendgrid_key()
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return base64.b64encode(der).decode()


SENDGRID_PUBLIC_KEY = _sendgrid_public_key()


def basic(user: str = WEBHOOK_USER, password: str = WEBHOOK_PASSWORD) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _metadata(recipient: Recipient) -> dict[str, str]:
    return {"relata_recipient": str(recipient.pk)}


def ses_feedback(recipient: Recipient, kind: str, cert_url: str, *, bounce_type: str = "Permanent") -> dict[str, Any]:
    """A signed SNS notification of an SES bounce or complaint for the recipient's message."""
    mail = {
        "timestamp": "2026-12-07T08:00:00.000Z",
        "messageId": "0100018c-ses-message-id",
        "source": "news@alpha.example",
        "sourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/alpha.example",
        "sendingAccountId": "123456789012",
        "destination": [recipient.address],
        "headersTruncated": False,
        "headers": [
            {"name": "From", "value": "news@alpha.example"},
            {"name": "To", "value": recipient.address},
            {"name": "X-Metadata", "value": json.dumps(_metadata(recipient))},
        ],
        "commonHeaders": {"from": ["news@alpha.example"], "to": [recipient.address], "subject": "News"},
    }
    if kind == "Bounce":
        feedback: dict[str, Any] = {
            "notificationType": "Bounce",
            "bounce": {
                "bounceType": bounce_type,
                "bounceSubType": "General",
                "bouncedRecipients": [
                    {"emailAddress": recipient.address, "action": "failed", "status": "5.1.1",
                     "diagnosticCode": "smtp; 550 5.1.1 user unknown"},
                ],
                "timestamp": "2026-12-07T08:00:01.000Z",
                "feedbackId": "0100018c-feedback-bounce",
                "reportingMTA": "dsn; a8-70.smtp-out.amazonses.com",
            },
        }  # fmt: skip
    else:
        feedback = {
            "notificationType": "Complaint",
            "complaint": {
                "userAgent": "ExampleCorp Feedback Loop (V0.01)",
                "complainedRecipients": [{"emailAddress": recipient.address}],
                "complaintFeedbackType": "abuse",
                "arrivalDate": "2026-12-07T08:00:02.000Z",
                "timestamp": "2026-12-07T08:00:02.000Z",
                "feedbackId": "0100018c-feedback-complaint",
            },
        }
    message = {
        "Type": "Notification",
        "MessageId": f"sns-{kind.lower()}-{recipient.pk}",
        "TopicArn": TOPIC,
        "Message": json.dumps({**feedback, "mail": mail}),
        "Timestamp": "2026-12-07T08:00:03.000Z",
    }
    return sns_sign(message, cert_url)


def ses_headers(message: dict[str, Any]) -> dict[str, str]:
    return {"HTTP_X_AMZ_SNS_MESSAGE_TYPE": message["Type"], "HTTP_X_AMZ_SNS_MESSAGE_ID": message["MessageId"]}


def sendgrid_events(recipient: Recipient, kind: str, *, bounce_type: str = "bounce") -> list[dict[str, Any]]:
    event: dict[str, Any] = {
        "email": recipient.address,
        "timestamp": int(time.time()),
        "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
        "sg_event_id": f"sg-{kind}-{recipient.pk}",
        "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
        **_metadata(recipient),
    }
    if kind == "bounce":
        event.update(event="bounce", reason="550 5.1.1 unknown recipient", status="5.1.1", type=bounce_type,
                     bounce_classification="Invalid Address")  # fmt: skip
    else:
        event.update(event="spamreport")
    return [event]


def sendgrid_signed(body: bytes) -> dict[str, str]:
    """The headers of SendGrid's signed event webhook for ``body``."""
    timestamp = str(int(time.time()))
    signature = _sendgrid_key().sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return {
        "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE": base64.b64encode(signature).decode(),
        "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP": timestamp,
    }


def brevo_event(recipient: Recipient, kind: str) -> dict[str, Any]:
    """``kind``: hard_bounce, soft_bounce, spam, unsubscribed."""
    now = time.time()
    event: dict[str, Any] = {
        "event": kind, "email": recipient.address, "id": 1234567, "date": "2026-12-07 09:00:00",
        "ts": int(now), "message-id": "<202612070900.1234567@smtp-relay.mailin.fr>", "ts_event": int(now),
        "subject": "News", "X-Mailin-custom": json.dumps(_metadata(recipient)), "sending_ip": "185.41.28.109",
        "tags": ["marketing"], "ts_epoch": int(now * 1000),
    }  # fmt: skip
    if kind.endswith("bounce"):
        event["reason"] = "550 5.1.1 user unknown" if kind == "hard_bounce" else "452 4.2.2 mailbox full"
    return event


def mailjet_event(recipient: Recipient, kind: str, *, hard: bool = True) -> dict[str, Any]:
    """``kind``: bounce, spam, unsub."""
    event: dict[str, Any] = {
        "event": kind, "time": int(time.time()), "MessageID": 13792286917004336,
        "Message_GUID": "1ab23cd4-e567-8901-2345-6789f0gh1i2j", "email": recipient.address,
        "mj_campaign_id": 0, "mj_contact_id": 0, "customcampaign": "", "CustomID": "",
        "Payload": json.dumps(_metadata(recipient)),
    }  # fmt: skip
    if kind == "bounce":
        event.update(blocked=False, hard_bounce=hard, error_related_to="recipient",
                     error="user unknown" if hard else "quota exceeded")  # fmt: skip
    elif kind == "spam":
        event["source"] = "JMRPP"
    elif kind == "unsub":
        event.update(mj_list_id=0, ip="127.0.0.1", geo="FR", agent="Mozilla/5.0")
    return event
