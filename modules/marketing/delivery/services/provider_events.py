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

# Anymail's "bounced" covers Postmark's soft bounces too; these reasons make one hard.
_HARD_REASONS = {"bounced", "invalid", "blocked"}
_SOFT_POSTMARK = {"SoftBounce", "Transient", "DnsError"}


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


def _hard(event: AnymailTrackingEvent) -> bool:
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    if esp_event.get("Type") in _SOFT_POSTMARK:
        return False
    severity = esp_event.get("severity") or (esp_event.get("event-data") or {}).get("severity")
    if severity == "temporary":
        return False
    return (event.reject_reason or "bounced") in _HARD_REASONS


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
        case EventType.BOUNCED | EventType.REJECTED:
            engagement.record_bounce(recipient, hard=_hard(event), detail=detail, source=source)
        case EventType.DEFERRED:
            engagement.record_bounce(recipient, hard=False, detail=detail, source=source)
        case EventType.COMPLAINED:
            engagement.record_complaint(recipient, detail=detail, source=source)
        case _:
            return
