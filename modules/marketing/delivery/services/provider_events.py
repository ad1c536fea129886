"""Events from the providers' signed tracking webhooks, as django-anymail normalises them.

Only our own webhook views (``webhooks.py``, which check the tenant's secret first) are listened
to. An event finds its recipient by the ``relata_recipient`` metadata the message was sent with,
else by the provider's message id, and must name the row's address."""

from __future__ import annotations

import logging
from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType

from modules.marketing.delivery.models import Recipient
from modules.marketing.delivery.services import engagement

logger = logging.getLogger(__name__)

# Anymail's "bounced" and "rejected" cover temporary failures too; each provider says which are
# permanent in its own words (its documented event fields), read in ``_hard``.
_HARD_REASONS = {"bounced", "invalid", "blocked"}
_SOFT_POSTMARK = {"SoftBounce", "Transient", "DnsError"}
# SendGrid drops a message to an address already on its own lists; the reason names which.
_SENDGRID_DROPPED_HARD = {"bounced address", "invalid"}


def _recipient(event: AnymailTrackingEvent) -> Recipient | None:
    metadata = event.metadata or {}
    found = None
    raw = str(metadata.get("relata_recipient", "")).strip()
    if raw.isdigit():
        found = Recipient.objects.filter(pk=int(raw)).first()
    if found is None and event.message_id:
        found = (
            Recipient.objects.filter(provider_message_id=str(event.message_id)[:250])
            .exclude(provider_message_id="")
            .first()
        )
    if found is None:
        return None
    if event.recipient and event.recipient.strip().lower() != found.address.lower():
        return None
    return found


def _hard(event: AnymailTrackingEvent, esp_name: str) -> bool:
    """Whether a bounced or rejected event is permanent for the address (so it is suppressed)."""
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    if esp_name == "Amazon SES":
        # bounceType Permanent / Transient / Undetermined; a "Reject" is SES refusing the content.
        return (
            event.event_type == EventType.BOUNCED and (esp_event.get("bounce") or {}).get("bounceType") == "Permanent"
        )
    if esp_name == "SendGrid":
        if esp_event.get("event") == "dropped":
            return str(esp_event.get("reason", "")).strip().lower() in _SENDGRID_DROPPED_HARD
        # A "blocked" bounce is the receiving server refusing for now (reputation, content).
        return esp_event.get("type", "bounce") == "bounce"
    if esp_name == "Brevo":
        return esp_event.get("event") in ("hard_bounce", "invalid_email", "blocked")
    if esp_name == "Mailjet":
        if esp_event.get("event") == "bounce":
            return bool(esp_event.get("hard_bounce"))
        return esp_event.get("error_related_to") == "recipient"  # blocked for the address itself
    if esp_event.get("Type") in _SOFT_POSTMARK:
        return False
    severity = esp_event.get("severity") or (esp_event.get("event-data") or {}).get("severity")
    if severity == "temporary":
        return False
    return (event.reject_reason or "bounced") in _HARD_REASONS


def _complaint(event: AnymailTrackingEvent, esp_name: str) -> bool:
    """SendGrid drops mail to an address that complained before: a complaint for our list too."""
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    return esp_name == "SendGrid" and str(esp_event.get("reason", "")).strip().lower() == "spam reporting address"


def on_tracking_event(sender: Any, event: AnymailTrackingEvent, esp_name: str, **_kwargs: Any) -> None:
    from modules.marketing.delivery.webhooks import TRACKING_VIEWS

    if sender not in TRACKING_VIEWS:
        return
    recipient = _recipient(event)
    if recipient is None:
        logger.info("%s tracking event for no known recipient", esp_name)
        return
    source = f"{esp_name} webhook"
    detail = (event.description or event.mta_response or "")[:2000]
    match event.event_type:
        case EventType.DELIVERED:
            engagement.record_delivered(recipient, at=event.timestamp)
        case EventType.OPENED:
            engagement.record_open(recipient.pk, at=event.timestamp)
        case EventType.CLICKED:
            if event.click_url:
                engagement.record_click(recipient.pk, event.click_url, at=event.timestamp)
        case EventType.BOUNCED | EventType.REJECTED if _complaint(event, esp_name):
            engagement.record_complaint(recipient, detail=detail, source=source)
        case EventType.BOUNCED | EventType.REJECTED:
            engagement.record_bounce(recipient, hard=_hard(event, esp_name), detail=detail, source=source)
        case EventType.DEFERRED:
            engagement.record_bounce(recipient, hard=False, detail=detail, source=source)
        case EventType.COMPLAINED:
            engagement.record_complaint(recipient, detail=detail, source=source)
        case EventType.UNSUBSCRIBED:
            # The provider's own unsubscribe link or List-Unsubscribe handling: honoured here too.
            engagement.record_provider_unsubscribe(recipient, source=source)
        case _:
            return
