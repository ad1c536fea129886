"""The consent services every send and every form relies on: consent and its history, withdrawal,
suppression (which withdraws every topic), the SQL filter that agrees with ``may_email``, and
refusals that name the field."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from customization.events.models import DomainEvent
from identity.models import AuditEntry
from modules.contacts.models import Contact, TimelineEntry
from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.choices import ConsentAction, ConsentSource, ConsentStatus
from modules.marketing.consent.models import Consent, ConsentEvent
from modules.marketing.consent.services import (
    may_email,
    record_consent,
    subscribed,
    suppress,
    unsuppress,
    withdraw,
)
from modules.marketing.models import Suppression
from modules.marketing.selectors.audience import without_suppressed
from tests.factories import ContactFactory
from tests.marketing.consent.conftest import make_topic
from tests.tenancy import TenantFixture


def test_consent_is_recorded_with_its_proof_and_kept_as_history(alpha: TenantFixture) -> None:
    with alpha.active():
        topic = make_topic()
        contact = ContactFactory(email="ana@example.com")
        proof = {"form": 7, "ip": "203.0.113.5", "user_agent": "Firefox", "language": "ro"}

        record_consent(contact, topic, granted=True, source=ConsentSource.FORM, proof=proof)
        record_consent(contact, topic, granted=True, source=ConsentSource.FORM, proof=proof)  # no change
        withdraw(contact, "newsletter", source=ConsentSource.PREFERENCE_PAGE, proof={"ip": "203.0.113.6"})

        consent = Consent.objects.get(contact=contact, topic=topic)
        assert (consent.status, consent.source, consent.language) == (
            ConsentStatus.WITHDRAWN, ConsentSource.PREFERENCE_PAGE, "ro",
        )  # fmt: skip
        events = list(ConsentEvent.objects.filter(contact=contact).order_by("occurred_at", "id"))
        assert [(event.action, event.source) for event in events] == [
            (ConsentAction.GRANTED, ConsentSource.FORM),
            (ConsentAction.WITHDRAWN, ConsentSource.PREFERENCE_PAGE),
        ]
        assert events[0].proof == proof
        assert events[0].email == "ana@example.com"
        assert TimelineEntry.objects.filter(contact=contact, kind="consent").count() == 2
        changes = DomainEvent.objects.filter(type="consent.changed", record_id=contact.pk).order_by("id")
        assert [(event.entity, event.data["id"], event.data["status"]) for event in changes] == [
            ("contact", topic.pk, "granted"), ("contact", topic.pk, "withdrawn"),
        ]  # fmt: skip


def test_may_email_and_the_sql_filter_agree(alpha: TenantFixture) -> None:
    with alpha.active():
        topic, other = make_topic(), make_topic("events", "Events")
        granted = ContactFactory(email="yes@example.com")
        withdrawn = ContactFactory(email="no@example.com")
        never = ContactFactory(email="never@example.com")
        suppressed = ContactFactory(email="Gone@Example.com")
        addressless = ContactFactory(email="")
        for contact in (granted, withdrawn, suppressed, addressless):
            record_consent(contact, topic, granted=True, source=ConsentSource.IMPORT, proof={})
        record_consent(never, other, granted=True, source=ConsentSource.IMPORT, proof={})
        withdraw(withdrawn, topic, source=ConsentSource.STAFF)
        Suppression.objects.create(email="gone@example.com", reason=SuppressionReason.HARD_BOUNCE)

        everyone = Contact.objects.all()
        assert set(subscribed(everyone, topic)) == {granted}
        assert {c for c in everyone if may_email(c, topic)} == {granted}
        assert set(subscribed(everyone, "events")) == {never}
        assert set(subscribed(everyone, None)) == {granted, withdrawn, never}
        assert set(subscribed(everyone, "no-such-topic")) == set()


def test_suppressing_withdraws_every_topic_of_the_address_and_is_idempotent(alpha: TenantFixture) -> None:
    with alpha.active():
        topic, other = make_topic(), make_topic("events", "Events")
        first = ContactFactory(email="Dup@Example.com")
        second = ContactFactory(email="dup@example.com")
        bystander = ContactFactory(email="other@example.com")
        for contact in (first, second, bystander):
            for subject in (topic, other):
                record_consent(contact, subject, granted=True, source=ConsentSource.FORM, proof={})

        row = suppress(
            " DUP@example.com ", reason=SuppressionReason.COMPLAINT, source="postmark webhook", detail="abuse"
        )
        again = suppress("dup@example.com", reason=SuppressionReason.COMPLAINT, source="postmark webhook")

        assert again.pk == row.pk
        assert row.email == "dup@example.com"
        assert Suppression.objects.count() == 1
        assert set(Consent.objects.filter(status=ConsentStatus.GRANTED).values_list("contact", flat=True)) == {
            bystander.pk
        }
        suppressed_events = ConsentEvent.objects.filter(action=ConsentAction.SUPPRESSED)
        assert {(event.contact_id, event.topic_id, event.source) for event in suppressed_events} == {
            (first.pk, None, ConsentSource.COMPLAINT), (second.pk, None, ConsentSource.COMPLAINT),
        }  # fmt: skip
        assert suppressed_events.first().proof["source"] == "postmark webhook"
        assert list(without_suppressed(Contact.objects.all())) == [bystander]
        assert not may_email(first, None)


def test_a_new_consent_lifts_an_unsubscribe_but_not_a_bounce(alpha: TenantFixture) -> None:
    with alpha.active():
        topic = make_topic()
        came_back = ContactFactory(email="back@example.com")
        bounced = ContactFactory(email="bounced@example.com")
        suppress("back@example.com", reason=SuppressionReason.UNSUBSCRIBED, source=ConsentSource.UNSUBSCRIBE_LINK)
        suppress("bounced@example.com", reason=SuppressionReason.UNSUBSCRIBED, source="link")
        suppress("bounced@example.com", reason=SuppressionReason.HARD_BOUNCE, source="ses webhook")

        record_consent(came_back, topic, granted=True, source=ConsentSource.FORM, proof={"form": 3})
        record_consent(bounced, topic, granted=True, source=ConsentSource.FORM, proof={"form": 3})

        assert may_email(came_back, topic)
        assert not may_email(bounced, topic)
        assert Suppression.objects.get().reason == SuppressionReason.HARD_BOUNCE


def test_unsuppressing_is_audited_and_leaves_topics_withdrawn(alpha: TenantFixture) -> None:
    with alpha.active():
        topic = make_topic()
        contact = ContactFactory(email="sam@example.com")
        record_consent(contact, topic, granted=True, source=ConsentSource.FORM, proof={})
        suppress("sam@example.com", reason=SuppressionReason.MANUAL, source="staff")
        admin = alpha.user()

        assert unsuppress("SAM@example.com", by=admin, note="asked by phone")
        assert not unsuppress("sam@example.com", by=admin)

        assert not Suppression.objects.exists()
        assert not may_email(contact, topic)
        entry = AuditEntry.objects.get(action="marketing.unsuppressed")
        assert entry.actor == admin.email
        assert entry.details["note"] == "asked by phone"
        assert ConsentEvent.objects.filter(contact=contact, action=ConsentAction.UNSUPPRESSED).count() == 1


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c, t: record_consent(c, t, granted=True, source="carrier pigeon", proof={}), "source"),
        (lambda c, t: record_consent(c, t, granted=True, source="form", proof={"ip": "1\x00"}), "proof"),
        (
            lambda c, t: record_consent(
                c, t, granted=True, source="form", proof={"x": "y" * 900} | {str(i): "z" * 900 for i in range(9)}
            ),
            "proof",
        ),
        (lambda c, t: record_consent(c, t, granted=True, source="form", proof={"nested": {"a": 1}}), "proof"),
        (lambda c, t: record_consent(c, None, granted=True, source="form", proof={}), "topic"),
        (lambda c, t: record_consent(c, "missing", granted=True, source="form", proof={}), "topic"),
        (lambda c, t: suppress("not an address", reason="manual", source="staff"), "email"),
        (lambda c, t: suppress("a\x00@example.com", reason="manual", source="staff"), "email"),
        (lambda c, t: suppress("x" * 300 + "@example.com", reason="manual", source="staff"), "email"),
        (lambda c, t: suppress("a@example.com", reason="bored", source="staff"), "reason"),
        (lambda c, t: suppress("a@example.com", reason="manual", source="s" * 201), "source"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(alpha: TenantFixture, call, field) -> None:
    with alpha.active():
        topic = make_topic()
        contact = ContactFactory(email="ana@example.com")
        with pytest.raises(ValidationError) as refused:
            call(contact, topic)
        assert field in refused.value.message_dict
        assert not Consent.objects.exists()
        assert not ConsentEvent.objects.exists()
        assert not Suppression.objects.exists()
