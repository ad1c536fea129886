"""What an endpoint receives: a Standard Webhooks JSON body.

``{"type": "contact.updated", "timestamp": "<ISO 8601, when it happened>", "data": {...}}``

``data`` is thin: ``entity`` and ``id`` of the record (read the rest through the REST API, with the
permissions of the integration's own key), ``event_id`` (the outbox event), ``actor_id`` (the user
who made the change, null for integrations and workflows), and what the event itself holds:
``changes`` ``[{field, label, old, new}]`` for ``*.updated``; ``from_stage_id``, ``from_stage``,
``to_stage_id``, ``to_stage`` and ``status`` for ``deal.stage_changed``; ``from_status`` and ``to_status`` for
``order.status_changed``; ``company_id``,
``contact_id``, ``deal_id`` for ``lead.converted``; ``name`` (or ``subject``) for ``*.deleted``;
``merged_id`` and ``merged`` for ``*.merged``; ``outcome`` for ``activity.completed``;
``assignee_id`` (the owner, an activity's assignee, the change left the record with) for
``*.created`` and for ``*.updated`` changing the owner;
``number``, ``share_id`` and ``expires_at`` for ``quote.shared``; ``number``, ``share_id``,
``answered_by_name``, ``answered_at``, ``reason`` and ``ip_address`` for ``quote.accepted`` (with
``order_id``, the order it made) and ``quote.declined``; ``record`` ``{entity, id}`` (the record
written on) for ``note.*`` and ``attachment.*``, with the mentioned user ids of a note and the
``name`` (and ``size``) of a file — never a note's text.
Events a module registers (``customization.events.catalogue``) name a contact or a lead and carry
what the module wrote, with the event's own record under its group's key: ``consent.changed``
(``topic_id``, ``topic`` key or null for every topic, ``action``, ``status``, ``source``,
``send_id``), ``form.submitted`` (``form_id``, ``form`` key, ``submission``), ``survey.answered``
(``survey_id``, ``response``, ``score``, ``category``), ``segment.contact_entered`` / ``_left``
(``segment_id``), ``marketing_email.sent/opened/clicked/bounced/complained`` (``email_id``;
``url`` for a click), ``score.threshold_reached`` (``threshold_id``, ``threshold`` name).
Thin payloads stay true when a delivery is retried days later or replayed, and never show a
receiver more of a record than the API would.

The body is rendered once, when the delivery is created, so every retry and replay sends the
same bytes under the same ``webhook-id``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from api.webhooks.event_types import TEST_EVENT_TYPE
from customization.events.catalogue import subject_key
from customization.events.models import DomainEvent


def render(event_type: str, timestamp: datetime, data: dict[str, Any]) -> str:
    body = {"type": event_type, "timestamp": timestamp.isoformat().replace("+00:00", "Z"), "data": data}
    return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def event_payload(event: DomainEvent) -> str:
    own = dict(event.data or {})
    subject = subject_key(event.type)
    if subject and "id" in own:
        own[subject] = own["id"]  # ``id`` is the record's below
    data = {
        **own,
        "entity": event.entity,
        "id": event.record_id,
        "event_id": str(event.event_id),
        "actor_id": event.actor_id,
    }
    return render(event.type, event.occurred_at, data)


def test_payload(endpoint_id: int, timestamp: datetime) -> str:
    return render(TEST_EVENT_TYPE, timestamp, {"endpoint_id": endpoint_id, "test": True})


def event_webhook_id(event: DomainEvent) -> str:
    """The same id for an event on every endpoint and every attempt (``msg_<event uuid>``)."""
    return f"msg_{event.event_id.hex}"
