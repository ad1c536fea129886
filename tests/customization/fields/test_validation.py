"""The validator as the record services use it: required, unique, defaults, archived and unknown
keys, references. Errors are keyed ``custom.<key>`` and nothing is written when one is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from customization.fields.choices import Entity, FieldType
from customization.fields.services import archive_definition
from modules.contacts.models import Contact
from modules.contacts.services.contacts import create_contact, update_contact
from tests.customization.fields.conftest import define, region_options
from tests.factories import CompanyFactory
from tests.tenancy import REP_EMAIL, TenantFixture


def _contacts() -> list[tuple[str, dict]]:
    return list(Contact.objects.order_by("pk").values_list("last_name", "custom"))


def test_values_are_parsed_and_defaults_filled_on_create(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "territory", FieldType.SINGLE_SELECT, options=region_options(), default="north")
        define(Entity.CONTACT, "employees", FieldType.NUMBER)
        define(Entity.CONTACT, "vip", FieldType.BOOLEAN, default="no")

        contact = create_contact(by=None, last_name="Ionescu", custom={"employees": "12", "vip": "yes"})

        assert Contact.objects.get(pk=contact.pk).custom == {"territory": "north", "employees": 12, "vip": True}


def test_a_bad_value_is_refused_by_its_key_and_nothing_is_written(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "employees", FieldType.NUMBER)
        define(Entity.CONTACT, "since", FieldType.DATE)

        with pytest.raises(ValidationError) as error:
            create_contact(by=None, last_name="Ionescu", custom={"employees": "many", "since": "2026-13-01"})

        assert error.value.message_dict == {
            "custom.employees": ["Enter a whole number."],
            "custom.since": ["Enter a valid date as YYYY-MM-DD."],
        }
        assert _contacts() == []


def test_unknown_and_archived_keys_are_refused(alpha: TenantFixture):
    with alpha.active():
        old = define(Entity.CONTACT, "old_code", FieldType.TEXT)
        define(Entity.COMPANY, "tier", FieldType.TEXT)
        archive_definition(old, by=None)

        with pytest.raises(ValidationError) as error:
            create_contact(by=None, last_name="Ionescu", custom={"old_code": "A", "tier": "gold", "nope": 1})

        assert error.value.message_dict == {
            "custom.old_code": ["This field is archived and cannot be set."],
            "custom.tier": ["There is no custom field with this key."],
            "custom.nope": ["There is no custom field with this key."],
        }
        assert _contacts() == []


def test_custom_must_be_an_object(alpha: TenantFixture):
    with alpha.active(), pytest.raises(ValidationError) as error:
        create_contact(by=None, last_name="Ionescu", custom=["territory"])

    assert error.value.message_dict == {"custom": ["Give custom fields as an object of key: value."]}


def test_a_required_field_is_needed_on_create_and_cannot_be_cleared(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "badge", FieldType.TEXT, required=True)

        with pytest.raises(ValidationError) as missing:
            create_contact(by=None, last_name="Ionescu", custom={})
        contact = create_contact(by=None, last_name="Ionescu", custom={"badge": "A1"})
        with pytest.raises(ValidationError) as cleared:
            update_contact(contact, by=None, custom={"badge": " "})

        assert missing.value.message_dict == {"custom.badge": ["This field is required."]}
        assert cleared.value.message_dict == {"custom.badge": ["This field is required."]}
        assert _contacts() == [("Ionescu", {"badge": "A1"})]


def test_a_required_field_added_later_does_not_block_unrelated_edits(alpha: TenantFixture):
    with alpha.active():
        contact = create_contact(by=None, last_name="Ionescu")
        define(Entity.CONTACT, "badge", FieldType.TEXT, required=True)

        update_contact(contact, by=None, first_name="Ana")

        assert Contact.objects.get(pk=contact.pk).first_name == "Ana"


def test_a_unique_value_cannot_be_taken_twice_but_a_record_keeps_its_own(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "badge", FieldType.TEXT, is_unique=True)
        first = create_contact(by=None, last_name="Ionescu", custom={"badge": "A1"})

        with pytest.raises(ValidationError) as on_create:
            create_contact(by=None, last_name="Popescu", custom={"badge": "A1"})
        second = create_contact(by=None, last_name="Popescu", custom={"badge": "B2"})
        with pytest.raises(ValidationError) as on_update:
            update_contact(second, by=None, custom={"badge": "A1"})
        update_contact(first, by=None, custom={"badge": "A1"})

        assert on_create.value.message_dict == {"custom.badge": ["Another record already has this value."]}
        assert on_update.value.message_dict == {"custom.badge": ["Another record already has this value."]}
        assert _contacts() == [("Ionescu", {"badge": "A1"}), ("Popescu", {"badge": "B2"})]


def test_an_update_merges_and_an_empty_value_clears(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "badge", FieldType.TEXT)
        define(Entity.CONTACT, "employees", FieldType.NUMBER)
        contact = create_contact(by=None, last_name="Ionescu", custom={"badge": "A1", "employees": 3})

        update_contact(contact, by=None, custom={"employees": "4"})
        merged = Contact.objects.get(pk=contact.pk).custom
        update_contact(contact, by=None, custom={"badge": ""})

        assert merged == {"badge": "A1", "employees": 4}
        assert Contact.objects.get(pk=contact.pk).custom == {"employees": 4}


def test_an_update_refused_for_a_custom_value_writes_no_other_field(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "employees", FieldType.NUMBER)
        contact = create_contact(by=None, last_name="Ionescu", custom={"employees": 3})

        with pytest.raises(ValidationError):
            update_contact(contact, by=None, first_name="Ana", custom={"employees": "x"})

        assert Contact.objects.filter(pk=contact.pk).values_list("first_name", "custom").get() == ("", {"employees": 3})


def test_users_and_references_must_exist(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        define(Entity.CONTACT, "advisor", FieldType.USER)
        define(Entity.CONTACT, "employer", FieldType.REFERENCE, reference_entity=Entity.COMPANY)
        company = CompanyFactory()

        with pytest.raises(ValidationError) as error:
            create_contact(by=None, last_name="Ionescu", custom={"advisor": 99999, "employer": company.pk + 1000})
        contact = create_contact(by=None, last_name="Ionescu", custom={"advisor": rep.pk, "employer": company.pk})

        assert error.value.message_dict == {
            "custom.advisor": ["No active user has the id 99999."],
            "custom.employer": [f"No company has the id {company.pk + 1000}."],
        }
        assert Contact.objects.get(pk=contact.pk).custom == {"advisor": rep.pk, "employer": company.pk}


def test_a_reference_select_lists_no_records_of_a_module_the_user_may_not_open(alpha: TenantFixture):
    from customization.fields.display import record_choices
    from tests.factories import DealFactory
    from tests.tenancy import revoke

    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        deal = DealFactory(name="Secret renewal", owner=rep)
        assert record_choices(Entity.DEAL, user=rep) == [(str(deal.pk), "Secret renewal")]
    revoke(alpha, "sales_rep", "sales.view")
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        define(Entity.CONTACT, "deal", FieldType.REFERENCE, reference_entity=Entity.DEAL)
        assert record_choices(Entity.DEAL, user=rep) == []
        response = alpha.client(REP_EMAIL).get("/contacts/new/")
        assert response.status_code == 200
        page = response.content.decode()
        assert "Secret renewal" not in page
