"""Notes and files written on records are webhook events an endpoint can subscribe to: thin
payloads naming the record, never the note's text."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from api.webhooks.event_types import known_event_types
from modules.collaboration.services.attachments import add_attachment
from modules.collaboration.services.notes import create_note
from tests.api.webhooks.conftest import Receiver, deliver_events, make_endpoint
from tests.sales.orders.conftest import make_order
from tests.tenancy import TenantFixture


def test_note_and_file_events_can_be_subscribed_to(alpha: TenantFixture, receiver: Receiver):
    assert {"note.created", "note.updated", "note.deleted", "attachment.created", "attachment.deleted"} <= (
        known_event_types()
    )
    assert "attachment.updated" not in known_event_types()  # a file is replaced, never changed
    with alpha.active(), pytest.raises(ValidationError) as refused:
        make_endpoint(receiver.url, event_types=["attachment.updated"])
    assert list(refused.value.message_dict) == ["event_types"]


def test_a_note_and_a_file_on_an_order_reach_an_endpoint_subscribed_to_them(
    alpha: TenantFixture, receiver: Receiver, settings, tmp_path
):
    settings.PRIVATE_FILES_ROOT = tmp_path
    order = make_order(alpha)
    with alpha.active():
        make_endpoint(receiver.url, event_types=["note.created", "attachment.created"])
        create_note(record=order, body="<div>Secret terms</div>", by=alpha.user())
        add_attachment(record=order, upload=SimpleUploadedFile("terms.txt", b"t"), by=alpha.user())

        deliveries = deliver_events()

    payloads = [json.loads(delivery.payload) for delivery in deliveries]
    assert [payload["type"] for payload in payloads] == ["note.created", "attachment.created"]
    assert [payload["data"]["record"] for payload in payloads] == [{"entity": "order", "id": order.pk}] * 2
    assert payloads[1]["data"]["name"] == "terms.txt"
    assert "Secret terms" not in deliveries[0].payload
