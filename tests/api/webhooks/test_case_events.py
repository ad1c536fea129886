"""Case events reach webhooks: ``case.created``, ``case.message_added``, ``case.status_changed``,
``case.solved`` and ``case.deleted`` are subscribable, and a case written through the API is
delivered to the subscriber of each with the case's id."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from api.webhooks.event_types import known_event_types
from api.webhooks.services.sending import attempt_delivery
from customization.events.models import DomainEvent
from modules.service.models import CaseStatus
from tests.api.rest_crm.helpers import api_client, patch, post
from tests.api.webhooks.conftest import Receiver, deliver_events, make_endpoint
from tests.tenancy import TenantFixture

CASE_EVENTS = ["case.created", "case.message_added", "case.status_changed", "case.solved", "case.deleted"]


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def test_case_events_written_through_the_api_are_delivered(alpha: TenantFixture, receiver: Receiver) -> None:
    assert set(CASE_EVENTS) <= known_event_types()
    with alpha.active():
        make_endpoint(receiver.url, event_types=CASE_EVENTS, entities=["case"])
        make_endpoint(receiver.url.replace("/hook", "/orders"), event_types=["order.created"])
    client = api_client(alpha)

    case_id = post(client, "/api/v1/cases/", {"subject": "Webhook story"}).json()["id"]
    assert post(client, f"/api/v1/cases/{case_id}/messages/", {"body_text": "We are on it"}).status_code == 201
    with alpha.active():
        solved = CaseStatus.objects.get(key="solved")
    assert patch(client, f"/api/v1/cases/{case_id}/", {"status": solved.pk}).status_code == 200
    assert client.delete(f"/api/v1/cases/{case_id}/").status_code == 204
    with alpha.active():
        deliveries = deliver_events()
        assert [attempt_delivery(delivery.pk) for delivery in deliveries] == ["succeeded"] * len(deliveries)
        event_ids = {str(event.event_id) for event in DomainEvent.objects.filter(entity="case", record_id=case_id)}

    bodies = receiver.bodies()
    assert {request["path"] for request in receiver.requests} == {"/hook"}
    assert sorted(body["type"] for body in bodies) == sorted(CASE_EVENTS)
    assert {(body["data"]["entity"], body["data"]["id"]) for body in bodies} == {("case", case_id)}
    assert {body["data"]["event_id"] for body in bodies} <= event_ids
    [added] = [body for body in bodies if body["type"] == "case.message_added"]
    assert (added["data"]["kind"], added["data"]["author_kind"]) == ("reply", "agent")
    [solved_body] = [body for body in bodies if body["type"] == "case.solved"]
    assert (solved_body["data"]["from_category"], solved_body["data"]["to_category"]) == ("new", "solved")
