"""Custom values and domain events through the record services every surface calls."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customization.events.models import DomainEvent
from customization.fields.choices import Entity, FieldType
from customization.fields.models import CustomFieldDefinition
from modules.activities.services.activities import complete_activity, create_activity, delete_activity
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Company, Contact, TimelineEntry
from modules.contacts.services.companies import create_company, delete_company, update_company
from modules.contacts.services.contacts import create_contact, update_contact
from modules.contacts.services.merge import merge_contacts
from modules.sales.models import Stage
from modules.sales.services.deals import create_deal, move_deal_to_stage
from modules.sales.services.leads import convert_lead, create_lead
from modules.sales.services.pipelines import default_pipeline
from tests.factories import ContactFactory
from tests.tenancy import TenantFixture


def _field(entity: str, key: str, field_type: str = FieldType.TEXT, **options: object) -> CustomFieldDefinition:
    return CustomFieldDefinition.objects.create(
        entity=entity, key=key, label=key.title(), field_type=field_type, **options
    )


def _events(**filters: object) -> list[tuple[str, int]]:
    return list(DomainEvent.objects.filter(**filters).order_by("id").values_list("type", "record_id"))


def test_creating_and_updating_a_contact_stores_custom_values_and_writes_events(alpha: TenantFixture) -> None:
    with alpha.active():
        rep = alpha.user("rep@example.test")
        _field(Entity.CONTACT, "region", FieldType.SINGLE_SELECT, options=[{"value": "north", "label": "North"}])
        _field(Entity.CONTACT, "score", FieldType.NUMBER, default=10)

        contact = create_contact(by=rep, last_name="Ionescu", custom={"region": "north"})
        update_contact(contact, by=rep, custom={"score": "42"})

        contact.refresh_from_db()
        assert contact.custom == {"region": "north", "score": 42}
        assert _events() == [("contact.created", contact.pk), ("contact.updated", contact.pk)]
        updated = DomainEvent.objects.get(type="contact.updated")
        assert updated.actor == rep
        assert updated.data["changes"] == [{"field": "custom.score", "label": "Score", "old": 10, "new": 42}]
        entry = TimelineEntry.objects.get(contact=contact, kind=TimelineKind.UPDATED)
        assert entry.data["changes"][0]["field"] == "custom.score"


def test_a_bad_custom_value_names_the_field_and_writes_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        rep = alpha.user("rep@example.test")
        _field(Entity.COMPANY, "founded", FieldType.DATE)
        company = create_company(by=rep, name="Acme")
        events_before = DomainEvent.objects.count()

        with pytest.raises(ValidationError) as error:
            update_company(company, by=rep, name="Acme Renamed", custom={"founded": "last year"})

        assert list(error.value.message_dict) == ["custom.founded"]
        company.refresh_from_db()
        assert (company.name, company.custom) == ("Acme", {})
        assert DomainEvent.objects.count() == events_before
        with pytest.raises(ValidationError) as error:
            create_company(by=rep, name="Other", custom={"nope": 1})
        assert list(error.value.message_dict) == ["custom.nope"]
        assert not Company.objects.filter(name="Other").exists()


def test_a_service_that_fails_after_writing_rolls_back_its_event(alpha: TenantFixture) -> None:
    with alpha.active():
        rep = alpha.user("rep@example.test")
        contact = ContactFactory(first_name="Ana", last_name="Pop")
        before = DomainEvent.objects.count()

        with pytest.raises(ValidationError):
            # The name check runs after the field changes are applied, inside the transaction.
            update_contact(contact, by=rep, first_name="", last_name="")

        assert DomainEvent.objects.count() == before
        contact.refresh_from_db()
        assert contact.last_name == "Pop"


def test_every_record_service_writes_its_event(alpha: TenantFixture) -> None:
    with alpha.active():
        admin = alpha.user("admin@example.test")
        company = create_company(by=admin, name="Globex")
        lead = create_lead(by=admin, first_name="Dan", last_name="Lup", company_name="Lup SRL")
        conversion = convert_lead(lead, by=admin, amount=Decimal("500"))
        assert conversion.deal is not None
        won = default_pipeline().stages.get(kind="won")  # type: ignore[union-attr]
        move_deal_to_stage(conversion.deal, won, by=admin)
        call = create_activity(by=admin, kind="call", subject="Call", company=company)
        complete_activity(call, by=admin, outcome="successful")
        note = create_activity(by=admin, kind="note", subject="Note", company=company)
        delete_activity(note, by=admin)
        delete_company(company, by=admin)

        types = [event_type for event_type, _pk in _events()]
        assert types == [
            "company.created",
            "lead.created",
            "company.created",
            "contact.created",
            "deal.created",
            "lead.converted",
            "deal.stage_changed",
            "activity.created",
            "activity.completed",
            "activity.created",
            "activity.deleted",
            "company.deleted",
        ]
        stage_changed = DomainEvent.objects.get(type="deal.stage_changed")
        assert (stage_changed.data["to_stage_id"], stage_changed.data["status"]) == (won.pk, "won")
        assert all(event.depth == 0 and event.caused_by_run_id is None for event in DomainEvent.objects.all())


def test_conversion_carries_custom_values_to_fields_of_the_same_key_and_type(alpha: TenantFixture) -> None:
    with alpha.active():
        admin = alpha.user("admin@example.test")
        _field(Entity.LEAD, "segment")
        _field(Entity.LEAD, "budget", FieldType.DECIMAL)
        _field(Entity.CONTACT, "segment")
        _field(Entity.DEAL, "budget", FieldType.DECIMAL)
        _field(Entity.DEAL, "segment", FieldType.NUMBER)  # same key, other type: not carried
        lead = create_lead(
            by=admin, first_name="Ana", last_name="Dobre", company_name="Dobre SA",
            custom={"segment": "enterprise", "budget": "1200.50"},
        )  # fmt: skip

        conversion = convert_lead(lead, by=admin)

        assert conversion.contact.custom == {"segment": "enterprise"}
        assert conversion.deal is not None
        assert conversion.deal.custom == {"budget": "1200.5"}


def test_a_stage_can_require_a_custom_field(alpha: TenantFixture) -> None:
    with alpha.active():
        admin = alpha.user("admin@example.test")
        _field(Entity.DEAL, "contract_ref")
        proposal = Stage.objects.get(pipeline__is_default=True, name="Proposal")
        proposal.required_fields = [*proposal.required_fields, "custom.contract_ref"]
        proposal.save()
        deal = create_deal(by=admin, name="Big one", amount=Decimal("1000"), company=create_company(by=admin, name="X"))

        with pytest.raises(ValidationError) as error:
            move_deal_to_stage(deal, proposal, by=admin)
        assert error.value.message_dict == {"custom.contract_ref": ["Contract_Ref is required in the stage Proposal."]}

        moved = move_deal_to_stage(deal, proposal, by=admin, custom={"contract_ref": "C-17"})
        assert (moved.stage, moved.custom) == (proposal, {"contract_ref": "C-17"})


def test_merging_keeps_the_survivors_custom_values_and_fills_its_blanks(alpha: TenantFixture) -> None:
    with alpha.active():
        admin = alpha.user("admin@example.test")
        _field(Entity.CONTACT, "badge", is_unique=True)
        _field(Entity.CONTACT, "city2")
        survivor = ContactFactory(last_name="Pop", custom={"city2": "Iasi"})
        duplicate = ContactFactory(last_name="Pop", custom={"city2": "Cluj", "badge": "B-1"})

        merged = merge_contacts(survivor, duplicate, by=admin)

        merged.refresh_from_db()
        assert merged.custom == {"city2": "Iasi", "badge": "B-1"}
        assert not Contact.objects.filter(pk=duplicate.pk).exists()
        assert _events(type="contact.merged") == [("contact.merged", survivor.pk)]
