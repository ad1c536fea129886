"""Creating, editing, archiving, purging and ordering custom field definitions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from customization.fields.choices import Entity, FieldType, IndexState
from customization.fields.models import CustomFieldDefinition
from customization.fields.services import (
    archive_definition,
    purge_definition,
    reorder_definitions,
    restore_definition,
    update_definition,
)
from customization.fields.versions import definitions_version
from modules.contacts.models import Company, Contact
from tests.customization.fields.conftest import define, region_options
from tests.factories import CompanyFactory, ContactFactory
from tests.tenancy import TenantFixture


def _errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def test_a_field_is_created_at_the_end_of_its_record_types_list(alpha: TenantFixture):
    with alpha.active():
        version = definitions_version()
        first = define(Entity.CONTACT, "territory", FieldType.SINGLE_SELECT, options=region_options())
        second = define(Entity.CONTACT, "budget", FieldType.MONEY, currency="eur", default="100")
        other = define(Entity.COMPANY, "tier", FieldType.TEXT)

        assert (first.position, second.position, other.position) == (0, 1, 0)
        assert second.currency == "EUR"
        assert second.default == {"amount": "100.00", "currency": "EUR"}
        assert first.options == [{"value": "north", "label": "North"}, {"value": "south", "label": "South"}]
        assert definitions_version() == version + 3
        assert first.index_state == IndexState.NONE


def test_an_indexed_field_starts_building_its_index(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.DEAL, "score", FieldType.NUMBER, is_indexed=True)

        assert CustomFieldDefinition.objects.get(pk=definition.pk).index_state == IndexState.BUILDING


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("Territory", "Use lower-case letters"),
        ("1st", "Use lower-case letters"),
        ("a" * 41, "Use lower-case letters"),
        ("email", "“email” is a standard field of this record type."),
        ("region", "“region” is a standard field of this record type."),
        ("owner", "“owner” is a standard field of this record type."),
        ("owner_id", "“owner_id” is a standard field of this record type."),
        ("custom", "“custom” is a standard field of this record type."),
    ],
)
def test_a_bad_key_is_refused_by_name(alpha: TenantFixture, key: str, message: str):
    with alpha.active(), pytest.raises(ValidationError) as error:
        define(Entity.CONTACT, key, FieldType.TEXT)

    assert _errors(error)["key"][0].startswith(message)
    with alpha.active():
        assert not CustomFieldDefinition.objects.exists()


def test_a_key_is_unique_per_record_type_only(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "territory", FieldType.TEXT)
        define(Entity.COMPANY, "territory", FieldType.TEXT)

        with pytest.raises(ValidationError) as error:
            define(Entity.CONTACT, "territory", FieldType.NUMBER)

        assert _errors(error) == {"key": ["This record type already has a field with this key."]}
        assert CustomFieldDefinition.objects.filter(key="territory").count() == 2


@pytest.mark.parametrize(
    ("field_type", "attributes", "field", "message"),
    [
        (FieldType.SINGLE_SELECT, {}, "options", "Add at least one option."),
        (FieldType.MULTI_SELECT, {"options": []}, "options", "Add at least one option."),
        (
            FieldType.SINGLE_SELECT,
            {"options": [{"value": "a", "label": "A"}, {"value": "a", "label": "Again"}]},
            "options",
            "The value “a” is used twice.",
        ),
        (
            FieldType.SINGLE_SELECT,
            {"options": [{"value": " ", "label": "A"}]},
            "options",
            "Every option needs a value.",
        ),
        (FieldType.REFERENCE, {}, "reference_entity", "Choose the type of record this field refers to."),
        (FieldType.MONEY, {"currency": "euro"}, "currency", "Give a three-letter currency code, e.g. EUR."),
        (FieldType.NUMBER, {"default": "many"}, "default", "Enter a whole number."),
        (
            FieldType.SINGLE_SELECT,
            {"options": region_options(), "default": "west"},
            "default",
            "Choose one of: north, south.",
        ),
        (FieldType.BOOLEAN, {"is_unique": True}, "is_unique", "Fields of this type cannot be unique."),
        (FieldType.LONG_TEXT, {"is_indexed": True}, "is_indexed", "Fields of this type cannot be indexed."),
        (FieldType.TEXT, {"label_translations": {"de": "Territory"}}, "label_translations", "“de” is not a language"),
        (FieldType.TEXT, {"label": "  "}, "label", "This field is required."),
        (FieldType.TEXT, {"colour": "red"}, "colour", "This is not a property of a custom field."),
        ("colour", {}, "field_type", "Choose one of: text, long_text"),
    ],
)
def test_options_are_checked_per_type(
    alpha: TenantFixture, field_type: str, attributes: dict, field: str, message: str
):
    with alpha.active(), pytest.raises(ValidationError) as error:
        define(Entity.LEAD, "thing", field_type, **attributes)

    assert list(_errors(error)) == [field]
    assert _errors(error)[field][0].startswith(message)
    with alpha.active():
        assert not CustomFieldDefinition.objects.exists()


def test_translated_labels_keep_the_platform_languages_only_and_show_in_them(alpha: TenantFixture):
    with alpha.active():
        definition = define(
            Entity.CONTACT,
            "territory",
            FieldType.TEXT,
            label_translations={"RO": "Regiune", "fr": " ", "sr-Latn": "Oblast"},
        )

        assert definition.label_translations == {"ro": "Regiune", "sr-latn": "Oblast"}
        with translation.override("ro"):
            assert definition.display_label == "Regiune"
        with translation.override("fr"):
            assert definition.display_label == "Territory"


def test_the_key_entity_and_type_cannot_be_edited(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "territory", FieldType.TEXT)
        version = definitions_version()

        with pytest.raises(ValidationError) as error:
            update_definition(definition, by=None, key="area", entity="company", field_type="number", label="Area")

        assert _errors(error) == {
            "key": ["This cannot be changed once the field exists."],
            "entity": ["This cannot be changed once the field exists."],
            "field_type": ["Use “Change type” to change the type; it converts the stored values."],
        }
        definition.refresh_from_db()
        assert (definition.key, definition.entity, definition.label) == ("territory", "contact", "Territory")
        assert definitions_version() == version


def test_an_edit_changes_the_label_and_flags_and_queues_the_index(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "territory", FieldType.TEXT)
        version = definitions_version()

        update_definition(
            definition,
            by=None,
            label="Area",
            label_translations={"ro": "Zonă"},
            help_text="Where they are",
            section="Sales",
            required=True,
            is_indexed=True,
        )

        definition.refresh_from_db()
        assert (definition.label, definition.label_translations, definition.help_text, definition.section) == (
            "Area",
            {"ro": "Zonă"},
            "Where they are",
            "Sales",
        )
        assert definition.required is True
        assert definition.index_state == IndexState.BUILDING
        assert definitions_version() == version + 1


def test_making_a_field_unique_is_refused_while_records_share_a_value(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "badge", FieldType.TEXT)
        ContactFactory(custom={"badge": "A1"})
        ContactFactory(custom={"badge": "A1"})
        ContactFactory(custom={"badge": "B2"})

        with pytest.raises(ValidationError) as error:
            update_definition(definition, by=None, is_unique=True, label="Renamed")

        assert _errors(error) == {"is_unique": ["1 value is shared by several records; make them distinct first."]}
        definition.refresh_from_db()
        assert (definition.is_unique, definition.label, definition.index_state) == (False, "Badge", IndexState.NONE)


def test_removing_an_option_in_use_is_refused_with_the_count(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "territory", FieldType.SINGLE_SELECT, options=region_options())
        ContactFactory.create_batch(2, custom={"territory": "south"})

        with pytest.raises(ValidationError) as error:
            update_definition(definition, by=None, options=[{"value": "north", "label": "North"}])

        assert _errors(error) == {"options": ["2 records use a removed option (south): choose a replacement for them."]}
        definition.refresh_from_db()
        assert definition.option_values == ["north", "south"]
        assert sorted(Contact.objects.values_list("custom__territory", flat=True)) == ["south", "south"]


def test_a_removed_option_is_replaced_on_every_record_that_used_it(alpha: TenantFixture):
    with alpha.active():
        definition = define(
            Entity.CONTACT, "territory", FieldType.SINGLE_SELECT, options=region_options(), default="south"
        )
        using = ContactFactory.create_batch(2, custom={"territory": "south"})
        other = ContactFactory(custom={"territory": "north", "keep": 1})
        new_options = [{"value": "north", "label": "North"}, {"value": "east", "label": "East"}]

        update_definition(definition, by=None, options=new_options, default="east", replace_removed_with="east")

        assert [Contact.objects.get(pk=c.pk).custom for c in using] == [{"territory": "east"}, {"territory": "east"}]
        assert Contact.objects.get(pk=other.pk).custom == {"territory": "north", "keep": 1}
        definition.refresh_from_db()
        assert (definition.options, definition.default) == (new_options, "east")


def test_a_removed_multi_select_option_is_swapped_or_cleared_in_each_list(alpha: TenantFixture):
    with alpha.active():
        options = [*region_options(), {"value": "east", "label": "East"}]
        definition = define(Entity.COMPANY, "areas", FieldType.MULTI_SELECT, options=options)
        both = CompanyFactory(custom={"areas": ["south", "north"]})
        only_south = CompanyFactory(custom={"areas": ["south"]})
        untouched = CompanyFactory(custom={"areas": ["east"]})

        update_definition(definition, by=None, options=options[:1] + options[2:], replace_removed_with="")

        assert Company.objects.get(pk=both.pk).custom == {"areas": ["north"]}
        assert Company.objects.get(pk=only_south.pk).custom == {}
        assert Company.objects.get(pk=untouched.pk).custom == {"areas": ["east"]}


def test_a_replacement_must_be_a_remaining_option(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "territory", FieldType.SINGLE_SELECT, options=region_options())
        ContactFactory(custom={"territory": "south"})

        with pytest.raises(ValidationError) as error:
            update_definition(definition, by=None, options=region_options()[:1], replace_removed_with="south")

        assert _errors(error) == {"replace_removed_with": ["Choose one of the remaining options."]}
        assert list(Contact.objects.values_list("custom__territory", flat=True)) == ["south"]


def test_an_option_change_that_strands_the_default_is_refused(alpha: TenantFixture):
    with alpha.active():
        definition = define(
            Entity.CONTACT, "territory", FieldType.SINGLE_SELECT, options=region_options(), default="south"
        )

        with pytest.raises(ValidationError) as error:
            update_definition(definition, by=None, options=region_options()[:1])

        assert _errors(error) == {"default": ["Choose one of: north."]}
        definition.refresh_from_db()
        assert definition.option_values == ["north", "south"]


def test_archive_restore_and_purge(alpha: TenantFixture):
    with alpha.active():
        definition = define(Entity.CONTACT, "badge", FieldType.TEXT, is_unique=True)
        holder = ContactFactory(custom={"badge": "A1", "other": "x"})
        blank = ContactFactory(custom={"other": "y"})
        version = definitions_version()

        with pytest.raises(ValidationError) as error:
            purge_definition(definition, by=None)
        assert _errors(error) == {"archived_at": ["Archive the field before deleting it for good."]}
        assert CustomFieldDefinition.objects.filter(pk=definition.pk).exists()

        archive_definition(definition, by=None)
        definition.refresh_from_db()
        assert definition.is_archived
        assert Contact.objects.get(pk=holder.pk).custom == {"badge": "A1", "other": "x"}

        restore_definition(definition, by=None)
        definition.refresh_from_db()
        assert not definition.is_archived
        assert definition.index_state == IndexState.BUILDING

        archive_definition(definition, by=None)
        cleared = purge_definition(definition, by=None)

        assert cleared == 1
        assert not CustomFieldDefinition.objects.filter(pk=definition.pk).exists()
        assert Contact.objects.get(pk=holder.pk).custom == {"other": "x"}
        assert Contact.objects.get(pk=blank.pk).custom == {"other": "y"}
        assert definitions_version() == version + 4


def test_fields_are_reordered_with_archived_ones_last(alpha: TenantFixture):
    with alpha.active():
        a, b, c = (define(Entity.DEAL, key, FieldType.TEXT) for key in ("a", "b", "c"))
        archived = define(Entity.DEAL, "old", FieldType.TEXT)
        archive_definition(archived, by=None)
        version = definitions_version()

        reorder_definitions(Entity.DEAL, [str(c.pk), a.pk, b.pk])

        ordered = CustomFieldDefinition.objects.filter(entity=Entity.DEAL).order_by("position")
        assert [definition.key for definition in ordered] == ["c", "a", "b", "old"]
        assert definitions_version() == version + 1


@pytest.mark.parametrize("order", [["a", "b"], ["a"], ["a", "b", "c", "c"], ["a", "b", "x"], ["a", "b", "c", "old"]])
def test_a_stale_or_partial_order_is_refused(alpha: TenantFixture, order: list[str]):
    with alpha.active():
        by_key = {key: define(Entity.DEAL, key, FieldType.TEXT) for key in ("a", "b", "c", "old")}
        archive_definition(by_key["old"], by=None)
        ids = [by_key[key].pk if key in by_key else "x" for key in order]

        with pytest.raises(ValidationError) as error:
            reorder_definitions(Entity.DEAL, ids)

        assert list(_errors(error)) == ["order"]
        ordered = CustomFieldDefinition.objects.filter(entity=Entity.DEAL).order_by("position")
        assert [definition.key for definition in ordered] == ["a", "b", "c", "old"]
