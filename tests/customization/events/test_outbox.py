"""The transactional outbox: events commit with the change, one dispatcher per transaction, delivery
marks them published, a failing consumer leaves them waiting with the error recorded."""

from __future__ import annotations

import pytest
from django.db import transaction

from customization.events import dispatcher
from customization.events.dispatcher import dispatch_pending, outbox_lag
from customization.events.models import DomainEvent
from customization.events.outbox import _kick_dispatcher, caused_by
from modules.contacts.models import Contact
from modules.contacts.services.contacts import create_contact, update_contact
from tests.tenancy import TenantFixture


def test_events_are_written_in_the_services_transaction(alpha: TenantFixture) -> None:
    with alpha.active():
        contact = create_contact(by=alpha.user(), first_name="Ana", last_name="Pop")

        event = DomainEvent.objects.get(type="contact.created", record_id=contact.pk)

        assert (event.entity, event.actor, event.depth, event.published_at) == ("contact", alpha.user(), 0, None)


def test_a_failed_transaction_leaves_no_event(alpha: TenantFixture) -> None:
    with alpha.active():
        before = DomainEvent.objects.count()

        def create_then_fail() -> None:
            with transaction.atomic():
                create_contact(by=None, last_name="Rolled back")
                raise RuntimeError("the caller's transaction fails after the service call")

        with pytest.raises(RuntimeError):
            create_then_fail()

        assert DomainEvent.objects.count() == before
        assert not Contact.objects.filter(last_name="Rolled back").exists()


def test_a_refused_update_writes_no_event(alpha: TenantFixture) -> None:
    with alpha.active():
        contact = create_contact(by=None, last_name="Kept")
        before = DomainEvent.objects.count()

        with pytest.raises(Exception, match="first or a last name"):
            update_contact(contact, by=None, last_name="")

        assert DomainEvent.objects.count() == before


def test_one_dispatcher_is_queued_per_transaction(alpha: TenantFixture, django_capture_on_commit_callbacks) -> None:
    with alpha.active():
        with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
            for index in range(3):
                create_contact(by=None, allow_duplicate=True, last_name=f"Batch {index}")

        assert [callback for callback in callbacks if callback is _kick_dispatcher] == [_kick_dispatcher]
        assert DomainEvent.objects.filter(type="contact.created", published_at__isnull=True).count() >= 3


def test_events_caused_by_a_run_carry_its_depth(alpha: TenantFixture) -> None:
    with alpha.active():
        with caused_by(run_id=41, depth=3):
            contact = create_contact(by=None, last_name="Caused")

        event = DomainEvent.objects.get(type="contact.created", record_id=contact.pk)
        assert (event.depth, event.caused_by_run_id) == (3, 41)


def test_dispatch_pending_delivers_in_order_and_marks_published(
    alpha: TenantFixture, recording_consumer: list[list[DomainEvent]]
) -> None:
    with alpha.active():
        DomainEvent.objects.filter(published_at__isnull=True).update(published_at="2026-01-01T00:00:00Z")
        contacts = [create_contact(by=None, allow_duplicate=True, last_name=f"Delivered {index}") for index in range(3)]

        published = dispatch_pending()
        again = dispatch_pending()

        assert (published, again) == (3, 0)
        delivered = [event.record_id for batch in recording_consumer for event in batch]
        assert delivered == [contact.pk for contact in contacts]
        assert not DomainEvent.objects.filter(published_at__isnull=True).exists()
        assert outbox_lag().total_seconds() == 0


def test_a_failing_consumer_leaves_events_unpublished_with_the_error(
    alpha: TenantFixture, recording_consumer: list[list[DomainEvent]]
) -> None:
    def broken(events: object) -> None:
        raise RuntimeError("consumer is down")

    dispatcher.register_consumer("test-broken", broken)
    try:
        with alpha.active():
            DomainEvent.objects.filter(published_at__isnull=True).update(published_at="2026-01-01T00:00:00Z")
            contact = create_contact(by=None, last_name="Undelivered")

            published = dispatch_pending()

            event = DomainEvent.objects.get(type="contact.created", record_id=contact.pk)
            assert published == 0
            assert (event.published_at, event.attempts, event.last_error) == (
                None, 1, "RuntimeError: consumer is down",
            )  # fmt: skip
            assert outbox_lag().total_seconds() > 0
    finally:
        dispatcher._consumers.pop("test-broken", None)


def test_the_workflow_consumer_is_registered() -> None:
    from customization.workflows.consumer import consume

    assert dispatcher.registered_consumers()["workflows"] is consume
