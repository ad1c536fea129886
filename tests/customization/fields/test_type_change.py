"""Changing a field's type converts its stored values, or refuses with a report."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from customization.fields.choices import Entity, FieldType, IndexState
from customization.fields.conversion import UnconvertibleValues, change_field_type
from customization.fields.models import CustomFieldDefinition
from customization.fields.versions import definitions_version
from modules.contacts.models import Contact
from tests.customization.fields.conftest import define, region_options
from tests.factories import ContactFactory, DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture


def _values(key: str) -> list[object]:
    return [contact.custom.get(key) for contact in Contact.objects.order_by("pk")]


def test_text_becomes_a_number_when_every_value_parses(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "employees", FieldType.TEXT)
        for value in ("42", " 7 ", "-3"):
            ContactFactory(custom={"employees": value})
        ContactFactory(custom={"other": "x"})
        version = definitions_version()

        report = change_field_type(definition, FieldType.NUMBER, by=None)

        assert (report.total, report.converted, report.failed, report.applied) == (3, 3, 0, True)
        assert _values("employees") == [42, 7, -3, None]
        definition.refresh_from_db()
        assert definition.field_type == FieldType.NUMBER
        assert definitions_version() == version + 1


def test_a_refused_change_reports_the_values_and_writes_nothing(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "employees", FieldType.TEXT, default="many")
        good = ContactFactory(custom={"employees": "42"})
        bad = ContactFactory(custom={"employees": "many"})
        version = definitions_version()

        with pytest.raises(UnconvertibleValues) as error:
            change_field_type(definition, FieldType.NUMBER, by=None)

        report = error.value.report
        assert (report.total, report.converted, report.failed, report.applied) == (2, 1, 1, False)
        assert [(f.record_id, f.value, f.message) for f in report.failures] == [
            (bad.pk, "many", "Enter a whole number.")
        ]
        assert report.default_cleared is True
        assert error.value.message_dict == {
            "field_type": ["1 value cannot be converted. Fix it, or clear the values that do not convert."]
        }
        assert [Contact.objects.get(pk=c.pk).custom for c in (good, bad)] == [
            {"employees": "42"},
            {"employees": "many"},
        ]
        definition.refresh_from_db()
        assert (definition.field_type, definition.default) == (FieldType.TEXT, "many")
        assert definitions_version() == version


def test_a_dry_run_reports_without_writing(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "employees", FieldType.TEXT)
        for index in range(25):
            ContactFactory(custom={"employees": f"about {index}"})
        ContactFactory(custom={"employees": "9"})

        report = change_field_type(definition, FieldType.NUMBER, by=None, dry_run=True)

        assert (report.total, report.converted, report.failed, report.applied) == (26, 1, 25, False)
        assert len(report.failures) == 20
        assert report.failures[0].value == "about 0"
        assert _values("employees")[-1] == "9"
        definition.refresh_from_db()
        assert definition.field_type == FieldType.TEXT


def test_unconvertible_values_are_cleared_when_asked(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "employees", FieldType.TEXT)
        ContactFactory(custom={"employees": "42", "keep": True})
        ContactFactory(custom={"employees": "many", "keep": True})

        report = change_field_type(definition, FieldType.NUMBER, by=None, drop_unconvertible=True)

        assert (report.converted, report.failed, report.dropped, report.applied) == (1, 1, 1, True)
        assert [c.custom for c in Contact.objects.order_by("pk")] == [{"employees": 42, "keep": True}, {"keep": True}]


@pytest.mark.parametrize(
    ("old_type", "old_attributes", "stored", "new_type", "new_attributes", "converted"),
    [
        (FieldType.NUMBER, {}, 42, FieldType.TEXT, {}, "42"),
        (FieldType.NUMBER, {}, 42, FieldType.DECIMAL, {}, "42"),
        (FieldType.NUMBER, {}, 42, FieldType.MONEY, {"currency": "EUR"}, {"amount": "42.00", "currency": "EUR"}),
        (FieldType.DECIMAL, {}, "3.5", FieldType.TEXT, {}, "3.5"),
        (FieldType.MONEY, {}, {"amount": "9.90", "currency": "RON"}, FieldType.DECIMAL, {}, "9.9"),
        (FieldType.MONEY, {}, {"amount": "9.90", "currency": "RON"}, FieldType.TEXT, {}, "9.90 RON"),
        (FieldType.SINGLE_SELECT, {"options": region_options()}, "north", FieldType.MULTI_SELECT, {}, ["north"]),
        (FieldType.MULTI_SELECT, {"options": region_options()}, ["south"], FieldType.SINGLE_SELECT, {}, "south"),
        (FieldType.MULTI_SELECT, {"options": region_options()}, ["south", "north"], FieldType.TEXT, {}, "south, north"),
        (FieldType.TEXT, {}, "north", FieldType.SINGLE_SELECT, {"options": region_options()}, "north"),
        (FieldType.DATE, {}, "2026-05-01", FieldType.DATETIME, {}, "2026-05-01T00:00:00Z"),
        (FieldType.DATETIME, {}, "2026-05-01T23:30:00Z", FieldType.DATE, {}, "2026-05-01"),
        (FieldType.BOOLEAN, {}, True, FieldType.TEXT, {}, "true"),
        (FieldType.TEXT, {}, "yes", FieldType.BOOLEAN, {}, True),
        (FieldType.NUMBER, {}, 0, FieldType.BOOLEAN, {}, False),
        (FieldType.TEXT, {}, "Ana@Example.COM", FieldType.EMAIL, {}, "Ana@example.com"),
    ],
)
def test_values_convert_through_the_new_types_parser(
    alpha: TenantFixture,
    old_type: str,
    old_attributes: dict,
    stored: object,
    new_type: str,
    new_attributes: dict,
    converted: object,
):
    with alpha.active():
        definition = define(Entity.CONTACT, "field", old_type, **old_attributes)
        contact = ContactFactory(custom={"field": stored})

        report = change_field_type(definition, new_type, by=None, **new_attributes)

        assert (report.converted, report.failed) == (1, 0)
        assert Contact.objects.get(pk=contact.pk).custom == {"field": converted}


@pytest.mark.parametrize(
    ("old_type", "old_attributes", "stored", "new_type", "new_attributes", "message"),
    [
        (FieldType.TEXT, {}, "west", FieldType.SINGLE_SELECT, {"options": region_options()}, "Choose one of"),
        (FieldType.MULTI_SELECT, {"options": region_options()}, ["north", "south"], FieldType.SINGLE_SELECT, {}, ""),
        (FieldType.DECIMAL, {}, "3.5", FieldType.NUMBER, {}, "Enter a whole number."),
        (FieldType.NUMBER, {}, 42, FieldType.MONEY, {}, "Give a three-letter currency code, e.g. EUR."),
        (FieldType.NUMBER, {}, 99999, FieldType.USER, {}, "No record has the id 99999."),
    ],
)
def test_values_that_do_not_parse_are_reported(
    alpha: TenantFixture,
    old_type: str,
    old_attributes: dict,
    stored: object,
    new_type: str,
    new_attributes: dict,
    message: str,
):
    with alpha.active():
        definition = define(Entity.CONTACT, "field", old_type, **old_attributes)
        contact = ContactFactory(custom={"field": stored})

        report = change_field_type(definition, new_type, by=None, dry_run=True, **new_attributes)

        assert (report.converted, report.failed) == (0, 1)
        assert report.failures[0].record_id == contact.pk
        assert report.failures[0].message.startswith(message)


def test_numbers_become_user_ids_when_the_users_exist(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        definition = define(Entity.DEAL, "advisor", FieldType.NUMBER)
        deal = DealFactory(custom={"advisor": rep.pk})

        change_field_type(definition, FieldType.USER, by=None)

        deal.refresh_from_db()
        assert deal.custom == {"advisor": rep.pk}


def test_a_select_target_needs_options_and_the_same_type_is_refused(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "field", FieldType.TEXT)

        with pytest.raises(ValidationError) as missing:
            change_field_type(definition, FieldType.SINGLE_SELECT, by=None)
        with pytest.raises(ValidationError) as same:
            change_field_type(definition, FieldType.TEXT, by=None)

        assert missing.value.message_dict == {"options": ["Add at least one option."]}
        assert same.value.message_dict == {"field_type": ["The field already has this type."]}


def test_an_indexed_field_rebuilds_its_index_after_the_change(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "score", FieldType.TEXT, is_indexed=True)
        CustomFieldDefinition.objects.filter(pk=definition.pk).update(index_state=IndexState.READY)
        ContactFactory(custom={"score": "5"})

        change_field_type(definition, FieldType.NUMBER, by=None)

        definition.refresh_from_db()
        assert (definition.field_type, definition.index_state) == (FieldType.NUMBER, IndexState.BUILDING)


def test_a_unique_field_is_not_converted_into_duplicates(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "code", FieldType.TEXT, is_unique=True)
        first = ContactFactory(custom={"code": "7"})
        second = ContactFactory(custom={"code": "07"})

        with pytest.raises(ValidationError) as error:
            change_field_type(definition, FieldType.NUMBER, by=None)

        assert error.value.message_dict == {
            "field_type": ["1 value is shared by several records; make them distinct first."]
        }
        assert [Contact.objects.get(pk=c.pk).custom for c in (first, second)] == [{"code": "7"}, {"code": "07"}]


def test_a_unique_flag_blocks_a_type_that_cannot_be_unique(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "code", FieldType.TEXT, is_unique=True)

        with pytest.raises(ValidationError) as error:
            change_field_type(definition, FieldType.BOOLEAN, by=None)

        assert error.value.message_dict == {
            "field_type": ["Fields of this type cannot be unique or indexed: turn that off first."]
        }
