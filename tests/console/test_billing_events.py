"""The console's Stripe event log: list with filters, detail with the payload, replay."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from billing.choices import EventStatus
from billing.models import StripeEvent
from identity.models import AuditEntry
from tests.console.conftest import OPERATOR_EMAIL


def public_url(name: str, args: Sequence[object] | None = None) -> str:
    """A console URL (the console lives in the public host's URLconf)."""
    return reverse(name, urlconf="crm_platform.urls_public", args=args)


def stripe_event(number: int, *, type: str = "invoice.payment_failed", **fields: object) -> StripeEvent:
    values: dict[str, object] = {
        "event_id": f"evt_test_{number}",
        "type": type,
        "created": timezone.now() - timedelta(minutes=number),
        "object_id": f"in_test_{number}",
        "payload": {"id": f"evt_test_{number}", "type": type, "data": {"object": {"id": f"in_test_{number}"}}},
        **fields,
    }
    return StripeEvent.objects.create(**values)


def test_event_log_shows_type_object_status_attempts_and_error_filtered(
    operator_client: Client, django_assert_max_num_queries
):
    failed = stripe_event(1, status=EventStatus.FAILED, attempts=3, error="No such subscription: sub_gone")
    stripe_event(2, type="customer.subscription.updated", status=EventStatus.PROCESSED, attempts=1)
    for number in range(3, 13):
        stripe_event(number, status=EventStatus.PROCESSED, attempts=1)

    with django_assert_max_num_queries(8):
        response = operator_client.get(public_url("console:stripe-events"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 12
    failed_only = operator_client.get(public_url("console:stripe-events"), {"status": "failed"})
    assert [event.event_id for event in failed_only.context["page"]] == [failed.event_id]
    text = failed_only.content.decode()
    assert "invoice.payment_failed" in text
    assert "in_test_1" in text
    assert "No such subscription: sub_gone" in text
    by_type = operator_client.get(public_url("console:stripe-events"), {"type": "customer.subscription"})
    assert [event.event_id for event in by_type.context["page"]] == ["evt_test_2"]


def test_event_detail_shows_the_payload(operator_client: Client):
    event = stripe_event(1, status=EventStatus.FAILED, attempts=2, error="boom")

    response = operator_client.get(public_url("console:stripe-event", args=[event.pk]))

    assert response.status_code == 200
    assert '"in_test_1"' in response.context["payload"]
    assert "in_test_1" in response.content.decode()
    assert public_url("console:stripe-event-replay", args=[event.pk]) in response.content.decode()


def test_replay_sets_the_event_pending_queues_it_and_is_audited(
    operator_client: Client, django_capture_on_commit_callbacks
):
    event = stripe_event(1, status=EventStatus.FAILED, attempts=3, error="boom")

    with django_capture_on_commit_callbacks() as callbacks:
        response = operator_client.post(public_url("console:stripe-event-replay", args=[event.pk]))

    assert response.status_code == 302
    assert response["Location"] == public_url("console:stripe-event", args=[event.pk])
    event.refresh_from_db()
    assert (event.status, event.error) == (EventStatus.PENDING, "")
    assert len(callbacks) == 1  # the handling task, sent once the transaction commits
    entry = AuditEntry.objects.get(action="billing.stripe_event.replayed")
    assert (entry.actor, entry.target) == (OPERATOR_EMAIL, "evt_test_1")


def test_replay_is_a_post_only_action(operator_client: Client):
    event = stripe_event(1, status=EventStatus.FAILED)

    assert operator_client.get(public_url("console:stripe-event-replay", args=[event.pk])).status_code == 405
    event.refresh_from_db()
    assert event.status == EventStatus.FAILED
