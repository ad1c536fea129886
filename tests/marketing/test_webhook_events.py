"""Marketing events reach webhooks: the consent, form, survey, segment, e-mail and score events
the marketing services write to the outbox are subscribable, and each is delivered to a real
endpoint subscribed to it with the contact it names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from api.webhooks.event_types import known_event_types
from api.webhooks.services.sending import attempt_delivery
from modules.marketing.choices import SegmentKind
from modules.marketing.consent.choices import ConsentSource
from modules.marketing.consent.services import record_consent
from modules.marketing.delivery.choices import RecipientState
from modules.marketing.delivery.models import Recipient
from modules.marketing.delivery.services.engagement import (
    note,
    record_bounce,
    record_click,
    record_complaint,
    record_open,
)
from modules.marketing.models import Segment
from modules.marketing.segments.services import add_to_list, remove_from_list
from modules.marketing.webforms.services.forms import create_form
from modules.marketing.webforms.services.submissions import Visit, submit
from tests.api.webhooks.conftest import Receiver, deliver_events, make_endpoint, running_receiver
from tests.factories import ContactFactory
from tests.marketing.consent.conftest import make_topic
from tests.marketing.delivery.conftest import marketing_email
from tests.marketing.surveys.sweep_data import survey_objects
from tests.tenancy import ADMIN_EMAIL, TenantFixture

EMAIL_EVENTS = [f"marketing_email.{what}" for what in ("sent", "opened", "clicked", "bounced", "complained")]
MARKETING_EVENTS = [
    "consent.changed", "form.submitted", "survey.answered", "segment.contact_entered", "segment.contact_left",
    *EMAIL_EVENTS,
]  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as state:
        yield state


def test_every_marketing_event_is_subscribable_and_listed_on_the_endpoint_form(alpha: TenantFixture) -> None:
    assert set(MARKETING_EVENTS) | {"score.threshold_reached"} <= known_event_types()
    client: Client = alpha.client()

    page = client.get("/settings/webhooks/new/")

    assert page.status_code == 200
    assert all(f'value="{event_type}"'.encode() in page.content for event_type in MARKETING_EVENTS)


def _recipient(contact: Any) -> Recipient:
    return Recipient.objects.create(
        email=marketing_email(None), contact=contact, address=contact.email, state=RecipientState.SENT,
        message_id="<hook@alpha.example>", sent_at=timezone.now(),
    )  # fmt: skip


def test_marketing_events_are_delivered_to_the_endpoint_subscribed_to_them(
    alpha: TenantFixture, receiver: Receiver
) -> None:
    admin = alpha.user(ADMIN_EMAIL)
    with alpha.active():
        make_endpoint(receiver.url, event_types=MARKETING_EVENTS)
        make_endpoint(receiver.url.replace("/hook", "/deals"), event_types=["deal.created"])
        contact = ContactFactory(email="hooked@people.example")
        topic = make_topic()
        record_consent(contact, topic, granted=True, source=ConsentSource.API, proof={"note": "hook"}, by=admin)
        form = create_form(by=admin, name="Hook form", key="hook-form")
        submit(form, {"last_name": "Hooked", "email": "hooked@people.example"}, visit=Visit())
        survey_objects(admin, contact)
        segment = Segment.objects.create(name="Hooked list", kind=SegmentKind.STATIC)
        add_to_list(segment, [contact], by=admin)
        remove_from_list(segment, [contact], by=admin)
        recipient = _recipient(contact)
        note(recipient, "sent")
        record_open(recipient.pk)
        record_click(recipient.pk, "https://example.com/news")
        record_complaint(recipient, detail="spam", source="test provider")
        bounced = _recipient(ContactFactory(email="gone@people.example"))
        record_bounce(bounced, hard=True, detail="550 no such user", source="test provider")
        deliveries = deliver_events()
        assert {attempt_delivery(delivery.pk) for delivery in deliveries} == {"succeeded"}

    bodies = receiver.bodies()
    assert {request["path"] for request in receiver.requests} == {"/hook"}
    delivered = {body["type"] for body in bodies}
    assert set(MARKETING_EVENTS) <= delivered
    assert delivered <= set(MARKETING_EVENTS)
    by_type: dict[str, dict[str, Any]] = {}
    for body in bodies:  # the first of each type (a suppression withdraws consent again)
        by_type.setdefault(body["type"], body["data"])
    assert (by_type["consent.changed"]["entity"], by_type["consent.changed"]["id"]) == ("contact", contact.pk)
    assert (by_type["consent.changed"]["topic"], by_type["consent.changed"]["source"]) == ("newsletter", "api")
    assert by_type["consent.changed"]["topic_id"] == topic.pk
    assert by_type["form.submitted"]["form_id"] == form.pk
    assert by_type["segment.contact_entered"]["segment_id"] == segment.pk
    assert by_type["segment.contact_left"]["segment_id"] == segment.pk
    assert by_type["marketing_email.opened"]["email_id"] == recipient.email_id
    assert by_type["marketing_email.clicked"]["url"] == "https://example.com/news"
    assert by_type["survey.answered"]["survey_id"] > 0
    assert by_type["form.submitted"]["entity"] in ("contact", "lead")
    assert {by_type[event_type]["entity"] for event_type in MARKETING_EVENTS if event_type != "form.submitted"} == {
        "contact"
    }
