"""Data-subject requests: a contact's export carries every module's rows about them and no
credentials; erasure removes the person everywhere and keeps the business records, all or nothing."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.hashers import make_password

from customization.events.models import DomainEvent
from identity.models import AuditEntry
from modules.activities.models import Activity
from modules.contacts.models import Contact, TimelineEntry
from modules.contacts.services.contacts import update_contact
from modules.contacts.services.data_subject import (
    _PARTS,
    SubjectData,
    erase_contact,
    export_contact,
    register_subject_data,
)
from modules.sales.models import Deal, Lead
from modules.service.choices import MessageAuthor
from modules.service.models import Case, CaseAttachment, CaseMessage
from modules.service.portal.models import PortalUser
from modules.service.services.cases import add_message
from tests.api.service.helpers import message_with_attachment
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory, LeadFactory
from tests.service.conftest import make_case
from tests.tenancy import TenantFixture


def _person(alpha: TenantFixture) -> dict[str, object]:
    """A contact with a trace in every module: activities, a deal, the lead they came from, a case
    with their e-mail and a file, a portal account, a timeline."""
    with alpha.active():
        company = CompanyFactory(name="Acme")
        contact = ContactFactory(first_name="Ana", last_name="Popescu", email="ana@acme.example", company=company)
        update_contact(contact, by=alpha.user(), phone="+40 721 000 000")
        deal = DealFactory(contact=contact, company=company)
        on_deal = ActivityFactory(contact=contact, deal=deal, body="Ana's mobile is 0721 000 000")
        alone = ActivityFactory(contact=contact, body="Birthday in May")
        lead = LeadFactory(first_name="Ana", last_name="Popescu", email="ana@acme.example", converted_contact=contact)
        PortalUser.objects.create(contact=contact, email="ana@acme.example", password=make_password("Portal-pass-1"))
    case = make_case(alpha, contact=contact)
    with alpha.active():
        attachment = message_with_attachment(case, by=None)
        add_message(case, by=alpha.user(), author_kind=MessageAuthor.AGENT, body_text="We are on it, Ana",
                    to_addresses=["ana@acme.example"])  # fmt: skip
    return {"contact": contact, "deal": deal, "on_deal": on_deal, "alone": alone, "lead": lead, "case": case,
            "attachment": attachment}  # fmt: skip


def test_the_export_holds_every_modules_rows_and_no_credentials(alpha: TenantFixture) -> None:
    made = _person(alpha)
    with alpha.active():
        contact = Contact.objects.get(pk=made["contact"].pk)  # type: ignore[attr-defined]
        exported = json.loads(json.dumps(export_contact(contact, by=alpha.user()), default=str))

        assert exported["contact"]["email"] == "ana@acme.example"
        related = exported["related"]
        assert {row["id"] for row in related["activities.activity"]} == {made["on_deal"].pk, made["alone"].pk}  # type: ignore[attr-defined]
        assert [row["id"] for row in related["sales.deal"]] == [made["deal"].pk]  # type: ignore[attr-defined]
        assert [row["id"] for row in related["sales.lead"]] == [made["lead"].pk]  # type: ignore[attr-defined]
        assert related["contacts.timelineentry"]
        texts = [row["body_text"] for row in related["case_conversations"]]
        assert "See the invoice" in texts
        assert "We are on it, Ana" in texts
        portal = related["service_portal.portaluser"][0]
        assert portal["email"] == "ana@acme.example"
        assert not any("password" in key or key.endswith("_hash") for key in portal)
        entry = AuditEntry.objects.get(action="contact.personal_data_exported")
        assert entry.target == f"contact:{contact.pk}"


def test_erasure_removes_the_person_and_keeps_the_business_records(alpha: TenantFixture) -> None:
    made = _person(alpha)
    with alpha.active():
        other = ContactFactory(first_name="Ion", email="ion@acme.example")
        other_activity = ActivityFactory(contact=other, body="Keep me")
        contact = Contact.objects.get(pk=made["contact"].pk)  # type: ignore[attr-defined]
        pk = contact.pk
        case_pk = made["case"].pk  # type: ignore[attr-defined]

        erasure = erase_contact(contact, by=alpha.user())

        assert not Contact.objects.filter(pk=pk).exists()
        assert not TimelineEntry.objects.filter(contact_id=pk).exists()
        assert not Activity.objects.filter(pk=made["alone"].pk).exists()  # type: ignore[attr-defined]
        kept = Activity.objects.get(pk=made["on_deal"].pk)  # type: ignore[attr-defined]
        assert (kept.contact_id, kept.body, kept.deal_id) == (None, "", made["deal"].pk)  # type: ignore[attr-defined]
        assert Deal.objects.get(pk=made["deal"].pk).contact_id is None  # type: ignore[attr-defined]
        lead = Lead.objects.get(pk=made["lead"].pk)  # type: ignore[attr-defined]
        assert (lead.full_name, lead.email, lead.converted_contact_id) == ("", "", None)
        assert Case.objects.get(pk=case_pk).contact_id is None
        customer = CaseMessage.objects.get(case_id=case_pk, author_kind=MessageAuthor.CUSTOMER)
        assert (customer.body_text, customer.from_address) == ("", "")
        assert not CaseAttachment.objects.filter(pk=made["attachment"].pk).exists()  # type: ignore[attr-defined]
        agent = CaseMessage.objects.get(case_id=case_pk, author_kind=MessageAuthor.AGENT)
        assert agent.to_addresses == []
        assert not PortalUser.objects.filter(contact_id=pk).exists()
        assert all(
            event.data in ({}, {"erased": True}) for event in DomainEvent.objects.filter(entity="contact", record_id=pk)
        )
        assert DomainEvent.objects.filter(type="contact.deleted", record_id=pk, data={"erased": True}).exists()
        audit = AuditEntry.objects.get(action="contact.erased")
        assert "Ana" not in audit.summary
        assert "Popescu" not in json.dumps(audit.details)
        assert erasure.scrubbed["activities"] == 2
        assert erasure.scrubbed["leads"] == 1
        # Nobody else lost anything.
        assert Activity.objects.get(pk=other_activity.pk).body == "Keep me"
        assert Contact.objects.filter(pk=other.pk).exists()


def test_a_failing_part_leaves_everything_as_it_was(alpha: TenantFixture) -> None:
    made = _person(alpha)

    def broken(_contact: Contact, _by: object) -> int:
        raise RuntimeError("storage unavailable")

    register_subject_data(SubjectData(key="zz_broken", erase=broken))
    try:
        with alpha.active():
            contact = Contact.objects.get(pk=made["contact"].pk)  # type: ignore[attr-defined]
            with pytest.raises(RuntimeError):
                erase_contact(contact, by=alpha.user())
            assert Contact.objects.filter(pk=contact.pk).exists()
            assert Activity.objects.filter(pk=made["alone"].pk).exists()  # type: ignore[attr-defined]
            assert Lead.objects.get(pk=made["lead"].pk).email == "ana@acme.example"  # type: ignore[attr-defined]
            assert TimelineEntry.objects.filter(contact_id=contact.pk).exists()
            assert not AuditEntry.objects.filter(action="contact.erased").exists()
    finally:
        _PARTS.pop("zz_broken", None)
