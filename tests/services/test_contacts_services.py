"""Duplicate detection, merging and the timeline, through the customer-record services."""

import pytest
from django.core.exceptions import ValidationError

from modules.activities.models import Activity
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Company, Contact, TimelineEntry
from modules.contacts.services.companies import create_company
from modules.contacts.services.contacts import create_contact, update_contact
from modules.contacts.services.duplicates import DuplicateRecords
from modules.contacts.services.merge import merge_companies, merge_contacts
from modules.contacts.services.tags import tags_from_names
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory
from tests.tenancy import TenantFixture


def test_creating_a_contact_with_a_known_email_is_flagged_as_a_duplicate(alpha: TenantFixture) -> None:
    with alpha.active():
        existing = ContactFactory(first_name="Ana", last_name="Ionescu", email="ana@firma.example")
        before = Contact.objects.count()

        with pytest.raises(DuplicateRecords) as error:
            create_contact(by=None, first_name="Anca", last_name="Other", email="ANA@firma.example")

        assert error.value.candidates == [existing]
        assert "email" in error.value.message_dict
        assert Contact.objects.count() == before


def test_a_similar_name_is_flagged_and_can_be_created_anyway(alpha: TenantFixture) -> None:
    with alpha.active():
        existing = ContactFactory(first_name="John", last_name="Smith", email="john@smith.example")

        with pytest.raises(DuplicateRecords) as error:
            create_contact(by=None, first_name="Jon", last_name="Smith")
        assert error.value.candidates == [existing]
        assert "last_name" in error.value.message_dict

        created = create_contact(by=None, first_name="Jon", last_name="Smith", allow_duplicate=True)
        assert created.full_name == "Jon Smith"


def test_a_different_person_is_not_a_duplicate(alpha: TenantFixture) -> None:
    with alpha.active():
        ContactFactory(first_name="John", last_name="Smith", email="john@smith.example")

        created = create_contact(by=None, first_name="Maria", last_name="Nowak", email="maria@nowak.example")

        assert created.pk is not None


def test_a_company_with_a_near_identical_name_is_flagged(alpha: TenantFixture) -> None:
    with alpha.active():
        existing = CompanyFactory(name="Carpathian Steel SRL")

        with pytest.raises(DuplicateRecords) as error:
            create_company(by=None, name="Carpathian Steel S.R.L.")

        assert error.value.candidates == [existing]


def test_bad_contact_input_names_the_field_and_writes_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        before = (Contact.objects.count(), TimelineEntry.objects.count())

        with pytest.raises(ValidationError) as nameless:
            create_contact(by=None, email="x@y.example")
        with pytest.raises(ValidationError) as bad_email:
            create_contact(by=None, last_name="Novak", email="no at sign")
        with pytest.raises(ValidationError) as unknown:
            create_contact(by=None, last_name="Novak", salary=3)

        assert "last_name" in nameless.value.message_dict
        assert "email" in bad_email.value.message_dict
        assert "salary" in unknown.value.message_dict
        assert (Contact.objects.count(), TimelineEntry.objects.count()) == before


def test_an_update_records_who_changed_what(alpha: TenantFixture) -> None:
    with alpha.active():
        admin = alpha.user()
        contact = create_contact(by=admin, first_name="Pierre", last_name="Martin", job_title="Buyer")

        update_contact(contact, by=admin, job_title="Head of purchasing", tags=tags_from_names(["VIP"]))

        entry = TimelineEntry.objects.filter(contact=contact, kind=TimelineKind.UPDATED).get()
        assert entry.actor == admin
        assert entry.data["changes"] == [
            {"field": "job_title", "label": "job title", "old": "Buyer", "new": "Head of purchasing"},
            {"field": "tags", "label": "tags", "old": [], "new": ["VIP"]},
        ]


def test_merging_contacts_moves_every_related_record_and_keeps_the_history(alpha: TenantFixture) -> None:
    with alpha.active():
        admin = alpha.user()
        survivor = ContactFactory(first_name="Ana", last_name="Ionescu", email="ana@firma.example", phone="")
        duplicate = ContactFactory(
            first_name="Ana", last_name="Ionescu", email="ana.ionescu@gmail.example", phone="+40 721 000 000"
        )
        duplicate.tags.set(tags_from_names(["Newsletter"]))
        call = ActivityFactory(contact=duplicate)
        deal = DealFactory(contact=duplicate)
        old_entry = TimelineEntry.objects.create(kind=TimelineKind.CREATED, contact=duplicate)

        merge_contacts(survivor, duplicate, by=admin)

        survivor.refresh_from_db()
        assert not Contact.objects.filter(pk=duplicate.pk).exists()
        assert Activity.objects.get(pk=call.pk).contact == survivor
        deal.refresh_from_db()
        assert deal.contact == survivor
        old_entry.refresh_from_db()
        assert old_entry.contact == survivor
        assert survivor.phone == "+40 721 000 000"
        assert survivor.additional_emails == ["ana.ionescu@gmail.example"]
        assert [tag.name for tag in survivor.tags.all()] == ["Newsletter"]
        merged = TimelineEntry.objects.get(contact=survivor, kind=TimelineKind.MERGED)
        assert merged.actor == admin
        assert merged.data["merged_id"] == duplicate.pk
        assert merged.data["snapshot"]["email"] == "ana.ionescu@gmail.example"
        assert merged.data["moved"] == {
            "activities.activity.contact": 1,
            "contacts.timelineentry.contact": 1,
            "sales.deal.contact": 1,
        }


def test_merging_companies_moves_their_contacts(alpha: TenantFixture) -> None:
    with alpha.active():
        survivor, duplicate = CompanyFactory(name="Acme"), CompanyFactory(name="ACME Inc")
        person = ContactFactory(company=duplicate)

        merge_companies(survivor, duplicate, by=None)

        person.refresh_from_db()
        assert person.company == survivor
        assert not Company.objects.filter(pk=duplicate.pk).exists()


def test_a_record_cannot_be_merged_into_itself(alpha: TenantFixture) -> None:
    with alpha.active():
        contact = ContactFactory()

        with pytest.raises(ValidationError) as error:
            merge_contacts(contact, contact, by=None)

        assert "duplicate" in error.value.message_dict
        assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_duplicate_the_user_may_not_see_is_reported_without_its_name(alpha: TenantFixture) -> None:
    with alpha.active():
        admin, rep = alpha.user(), alpha.user("rep@example.test")
        hidden = ContactFactory(first_name="Secret", last_name="Client", email="secret@client.example", owner=admin)

        with pytest.raises(DuplicateRecords) as error:
            create_contact(by=rep, first_name="Other", last_name="Person", email="secret@client.example")

        assert error.value.candidates == [hidden]
        assert error.value.visible_candidates == []
        assert error.value.message_dict == {"email": ["This looks like an existing record that you cannot see."]}
