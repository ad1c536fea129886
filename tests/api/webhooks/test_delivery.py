"""Events reach matching endpoints signed per Standard Webhooks; failures are retried under the
same id, 410 disables the endpoint, replays resend the same message."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from api.webhooks.models import Delivery, WebhookEndpoint
from api.webhooks.policy import MAX_ATTEMPTS, RETRY_DELAYS, retry_delay
from api.webhooks.services.deliveries import create_event_deliveries, replay_delivery, send_test_event
from api.webhooks.services.endpoints import signing_secrets
from api.webhooks.services.sending import attempt_delivery
from customization.events.models import DomainEvent
from modules.contacts.services.contacts import create_contact, update_contact
from tests.api.webhooks.conftest import Receiver, attempt_now, deliver_events, make_endpoint
from tests.tenancy import TenantFixture


def _verify(endpoint: WebhookEndpoint, request: dict[str, object]) -> dict[str, object]:
    secret = signing_secrets(endpoint, timezone.now())[0]
    return Webhook(secret).verify(request["body"], request["headers"])  # type: ignore[arg-type]


def test_an_event_is_posted_signed_with_a_thin_payload(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        endpoint = make_endpoint(receiver.url, event_types=["contact.created"])
        admin = alpha.user()
        contact = create_contact(by=admin, first_name="Ana", last_name="Signed", email="ana@example.test")

        [delivery] = deliver_events()
        assert attempt_delivery(delivery.pk) == "succeeded"

        [request] = receiver.requests
        payload = _verify(endpoint, request)
        event = DomainEvent.objects.get(type="contact.created", record_id=contact.pk)
        assert payload == {
            "type": "contact.created",
            "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
            "data": {
                "entity": "contact",
                "id": contact.pk,
                "event_id": str(event.event_id),
                "actor_id": admin.pk,
                "assignee_id": contact.owner_id,
            },
        }
        assert request["headers"]["webhook-id"] == f"msg_{event.event_id.hex}"
        assert request["headers"]["Content-Type"] == "application/json"
        delivery.refresh_from_db()
        attempt = delivery.attempts.get()
        assert (delivery.state, delivery.attempt_count, delivery.last_status) == ("succeeded", 1, 200)
        assert (attempt.response_status, attempt.response_body, attempt.succeeded) == (200, "answer 200", True)
        assert attempt.request_headers["webhook-id"] == delivery.webhook_id
        assert attempt.request_headers["webhook-signature"].startswith("v1,")


def test_a_500_is_retried_with_the_same_id_and_a_valid_signature(alpha: TenantFixture, receiver: Receiver) -> None:
    receiver.statuses = [500]
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        create_contact(by=None, last_name="Flaky")
        [delivery] = deliver_events()

        before = timezone.now()
        assert attempt_delivery(delivery.pk) == "pending"
        delivery.refresh_from_db()
        # 5 s ± 10 % jitter
        assert delivery.next_attempt_at is not None
        assert before + timedelta(seconds=4.4) <= delivery.next_attempt_at <= timezone.now() + timedelta(seconds=5.6)
        assert attempt_delivery(delivery.pk) is None  # not due yet: nothing sent
        assert len(receiver.requests) == 1

        assert attempt_now(delivery) == "succeeded"

        first, second = receiver.requests
        assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"] == delivery.webhook_id
        assert first["body"] == second["body"]
        assert _verify(endpoint, first) == _verify(endpoint, second)
        assert [(a.number, a.response_status, a.succeeded) for a in delivery.attempts.all()] == [
            (1, 500, False),
            (2, 200, True),
        ]
        endpoint.refresh_from_db()
        assert (endpoint.failing_since, endpoint.consecutive_failures) == (None, 0)


def test_a_410_disables_the_endpoint_and_nothing_more_is_sent(alpha: TenantFixture, receiver: Receiver) -> None:
    receiver.statuses = [410]
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        create_contact(by=None, last_name="Gone")
        create_contact(by=None, last_name="Also gone")
        first, second = deliver_events()

        assert attempt_delivery(first.pk) == "failed"

        endpoint.refresh_from_db()
        assert (endpoint.is_enabled, endpoint.disabled_reason) == (False, "gone")
        second.refresh_from_db()
        assert (second.state, second.last_error) == ("failed", "The endpoint was disabled.")
        assert attempt_now(second) is None
        create_contact(by=None, last_name="After")
        assert deliver_events() == []
        assert len(receiver.requests) == 1


def test_every_attempt_failing_fails_the_delivery_after_the_schedule(alpha: TenantFixture, receiver: Receiver) -> None:
    receiver.statuses = [503] * MAX_ATTEMPTS
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        create_contact(by=None, last_name="Down")
        [delivery] = deliver_events()
        states = [attempt_now(delivery) for _attempt in range(MAX_ATTEMPTS)]

        assert states == ["pending"] * (MAX_ATTEMPTS - 1) + ["failed"]
        assert (delivery.attempt_count, delivery.next_attempt_at, delivery.last_status) == (MAX_ATTEMPTS, None, 503)
        assert attempt_now(delivery) is None
        assert len(receiver.requests) == MAX_ATTEMPTS
        assert len({request["headers"]["webhook-id"] for request in receiver.requests}) == 1
        endpoint.refresh_from_db()
        assert (endpoint.is_enabled, endpoint.consecutive_failures) == (True, 1)
        assert endpoint.failing_since is not None


def test_the_retry_schedule_backs_off_over_about_three_days() -> None:
    total = sum(RETRY_DELAYS, timedelta())
    assert timedelta(days=3) < total < timedelta(days=3, hours=6)
    assert all(earlier < later for earlier, later in itertools.pairwise(RETRY_DELAYS))
    for attempt, base in enumerate(RETRY_DELAYS, start=1):
        delay = retry_delay(attempt)
        assert delay is not None
        assert base * 0.9 <= delay <= base * 1.1
    assert retry_delay(len(RETRY_DELAYS) + 1) is None


def test_a_timeout_or_refused_connection_is_retried(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url="http://127.0.0.1:9/closed")
        create_contact(by=None, last_name="Closed port")
        [delivery] = deliver_events()

        assert attempt_delivery(delivery.pk) == "pending"

        attempt = delivery.attempts.get()
        assert attempt.response_status is None
        assert attempt.error.startswith("127.0.0.1 did not answer: ConnectionRefusedError")


def test_replay_sends_the_same_message_again_as_a_new_attempt(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        create_contact(by=None, last_name="Replayed")
        [delivery] = deliver_events()
        attempt_delivery(delivery.pk)

        replay_delivery(delivery)
        assert attempt_delivery(delivery.pk) == "succeeded"

        first, second = receiver.requests
        assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"] == delivery.webhook_id
        assert first["body"] == second["body"]
        _verify(endpoint, second)
        assert list(delivery.attempts.values_list("number", "trigger")) == [(1, "scheduled"), (2, "replay")]


def test_a_replay_of_a_disabled_endpoint_s_delivery_is_refused(alpha: TenantFixture, receiver: Receiver) -> None:
    receiver.statuses = [410]
    with alpha.active():
        make_endpoint(receiver.url)
        create_contact(by=None, last_name="Refused replay")
        [delivery] = deliver_events()
        attempt_delivery(delivery.pk)

        with pytest.raises(Exception, match="Enable the endpoint"):
            replay_delivery(delivery)
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempt_count) == ("failed", 1)


def test_an_event_offered_twice_is_delivered_once(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        contact = create_contact(by=None, last_name="Twice")
        [delivery] = deliver_events()
        event = DomainEvent.objects.get(type="contact.created", record_id=contact.pk)
        # Offered again before the first attempt: the same delivery is queued again (harmless).
        assert create_event_deliveries([event]) == [delivery.pk]
        attempt_delivery(delivery.pk)

        assert create_event_deliveries([event]) == []
        assert attempt_delivery(delivery.pk) is None
        assert Delivery.objects.filter(endpoint=endpoint).count() == 1
        assert len(receiver.requests) == 1


def test_filters_by_event_type_entity_and_changed_field(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        by_type = make_endpoint(receiver.url, event_types=["contact.updated"])
        by_entity = make_endpoint(receiver.url, entities=["company"])
        by_field = make_endpoint(receiver.url, entities=["contact"], changed_fields={"contact": ["email"]})
        contact = create_contact(by=None, last_name="Filtered")
        update_contact(contact, by=None, job_title="CTO")
        update_contact(contact, by=None, email="new@example.test")

        deliveries = deliver_events()

        got = {(d.endpoint_id, d.event_type, json.loads(d.payload)["data"].get("changes", [{}])[0].get("field"))
               for d in deliveries}  # fmt: skip
        assert got == {
            (by_type.pk, "contact.updated", "job_title"),
            (by_type.pk, "contact.updated", "email"),
            (by_field.pk, "contact.created", None),
            (by_field.pk, "contact.updated", "email"),
        }
        assert not Delivery.objects.filter(endpoint=by_entity).exists()


def test_an_updated_payload_carries_the_changes(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        make_endpoint(receiver.url, event_types=["contact.updated"])
        contact = create_contact(by=None, last_name="Changed", job_title="Dev")
        update_contact(contact, by=None, job_title="Lead dev")
        [delivery] = deliver_events()
        attempt_delivery(delivery.pk)

        data = receiver.bodies()[0]["data"]
        assert data["changes"] == [{"field": "job_title", "label": "job title", "old": "Dev", "new": "Lead dev"}]
        assert (data["entity"], data["id"]) == ("contact", contact.pk)


def test_a_test_event_is_signed_and_logged(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        endpoint = make_endpoint(receiver.url, event_types=["deal.created"])

        delivery = send_test_event(endpoint)
        assert attempt_delivery(delivery.pk) == "succeeded"

        payload = _verify(endpoint, receiver.requests[0])
        assert payload["type"] == "webhook.test"
        assert payload["data"] == {"endpoint_id": endpoint.pk, "test": True}
        assert delivery.event_id is None
