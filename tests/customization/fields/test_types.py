"""One parser per field type: what each accepts, how it stores it, what it refuses."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from customization.fields.choices import FieldType
from customization.fields.models import CustomFieldDefinition
from customization.fields.types import InvalidValue, parse_value
from tests.customization.fields.conftest import region_options


def definition_of(field_type: str, **attributes: Any) -> CustomFieldDefinition:
    """An unsaved definition: the parsers need only its type, options and currency."""
    return CustomFieldDefinition(entity="contact", key="field", label="Field", field_type=field_type, **attributes)


TYPE_ATTRIBUTES: dict[str, dict[str, Any]] = {
    FieldType.SINGLE_SELECT: {"options": region_options()},
    FieldType.MULTI_SELECT: {"options": region_options()},
    FieldType.MONEY: {"currency": "EUR"},
}

GOOD = [
    (FieldType.TEXT, "  Hello  ", "Hello"),
    (FieldType.TEXT, "x" * 255, "x" * 255),
    (FieldType.LONG_TEXT, "line 1\nline 2", "line 1\nline 2"),
    (FieldType.NUMBER, "42", 42),
    (FieldType.NUMBER, " -7 ", -7),
    (FieldType.NUMBER, 12.0, 12),
    (FieldType.NUMBER, 2**53 - 1, 2**53 - 1),
    (FieldType.DECIMAL, "3,50", "3.5"),
    (FieldType.DECIMAL, 0.25, "0.25"),
    (FieldType.DECIMAL, "-0", "0"),
    (FieldType.DECIMAL, "1E+3", "1000"),
    (FieldType.MONEY, "12.5", {"amount": "12.50", "currency": "EUR"}),
    (FieldType.MONEY, {"amount": 3, "currency": "ron"}, {"amount": "3.00", "currency": "RON"}),
    (FieldType.DATE, "2026-02-28", "2026-02-28"),
    (FieldType.DATE, date(2026, 1, 2), "2026-01-02"),
    (FieldType.DATETIME, "2026-05-01T09:30:00+02:00", "2026-05-01T07:30:00Z"),
    (FieldType.DATETIME, "2026-05-01 09:30Z", "2026-05-01T09:30:00Z"),
    (FieldType.DATETIME, "1000-01-01T00:00:00Z", "1000-01-01T00:00:00Z"),
    (FieldType.BOOLEAN, "Yes", True),
    (FieldType.BOOLEAN, "off", False),
    (FieldType.BOOLEAN, False, False),
    (FieldType.SINGLE_SELECT, "north", "north"),
    (FieldType.MULTI_SELECT, ["south", "north", "south"], ["south", "north"]),
    (FieldType.MULTI_SELECT, "north", ["north"]),
    (FieldType.EMAIL, " Ana@Example.COM ", "Ana@example.com"),
    (FieldType.PHONE, "+40 (721) 000-111", "+40 (721) 000-111"),
    (FieldType.URL, "https://example.com/a?b=c", "https://example.com/a?b=c"),
    (FieldType.USER, "5", 5),
    (FieldType.REFERENCE, 9, 9),
]

BAD = [
    (FieldType.TEXT, 42, "Enter text."),
    (FieldType.TEXT, "x" * 256, "Enter at most 255 characters."),
    (FieldType.TEXT, "a\x00b", "Text cannot contain NUL characters."),
    (FieldType.LONG_TEXT, "x" * 10_001, "Enter at most 10000 characters."),
    (FieldType.NUMBER, "4.5", "Enter a whole number."),
    (FieldType.NUMBER, True, "Enter a whole number."),
    (FieldType.NUMBER, 2**53, "Enter a number between"),
    (FieldType.NUMBER, [1], "Enter a whole number."),
    (FieldType.DECIMAL, "abc", "Enter a number."),
    (FieldType.DECIMAL, "NaN", "Enter a number."),
    (FieldType.DECIMAL, "Infinity", "Enter a number."),
    (FieldType.DECIMAL, "0.0000001", "Use at most 6 decimal places."),
    (FieldType.DECIMAL, "1e12", "The number is too large."),
    (FieldType.MONEY, "1.005", "Use at most 2 decimal places for money."),
    (FieldType.MONEY, {"amount": "1", "currency": "EURO"}, "Give a three-letter currency code"),
    (FieldType.MONEY, {"amount": "1", "rate": 2}, "Give only an amount and a currency."),
    (FieldType.MONEY, {"currency": "EUR"}, "Enter an amount."),
    (FieldType.DATE, "2026-02-30", "Enter a valid date as YYYY-MM-DD."),
    (FieldType.DATE, "01/02/2026", "Enter a valid date as YYYY-MM-DD."),
    (FieldType.DATETIME, "2026-05-01T09:30:00", "Include a time zone offset"),
    (FieldType.DATETIME, "tomorrow", "Enter a valid date and time"),
    (FieldType.DATETIME, "0999-12-31T23:59:59Z", "Enter a date between the years 1000 and 8999."),
    (FieldType.DATETIME, "2026-05-01T09:30:00+16:00", "Give a time zone offset between -15:59 and +15:59."),
    (FieldType.DATE, "9000-01-01", "Enter a date between the years 1000 and 8999."),
    (FieldType.BOOLEAN, "maybe", "Enter true or false."),
    (FieldType.BOOLEAN, 1, "Enter true or false."),
    (FieldType.SINGLE_SELECT, "west", "Choose one of: north, south."),
    (FieldType.SINGLE_SELECT, ["north"], "Choose one of: north, south."),
    (FieldType.MULTI_SELECT, ["north", "west"], "Not an option: west."),
    (FieldType.MULTI_SELECT, {"north": True}, "Give a list of options."),
    (FieldType.EMAIL, "ana@", "Enter a valid e-mail address."),
    (FieldType.PHONE, "call me", "Enter a phone number"),
    (FieldType.URL, "ftp://example.com", "Enter a valid URL"),
    (FieldType.URL, "javascript:alert(1)", "Enter a valid URL"),
    (FieldType.USER, "0", "Give the id of a record."),
    (FieldType.REFERENCE, "abc", "Give the id of a record."),
]


@pytest.mark.parametrize(("field_type", "raw", "stored"), GOOD)
def test_a_good_value_is_stored_in_its_normal_form(field_type: str, raw: Any, stored: Any):
    definition = definition_of(field_type, **TYPE_ATTRIBUTES.get(field_type, {}))

    assert parse_value(definition, raw) == stored


@pytest.mark.parametrize(("field_type", "raw", "message"), BAD)
def test_a_bad_value_is_refused_with_a_message(field_type: str, raw: Any, message: str):
    definition = definition_of(field_type, **TYPE_ATTRIBUTES.get(field_type, {}))

    with pytest.raises(InvalidValue) as error:
        parse_value(definition, raw)

    assert str(error.value).startswith(message)


@pytest.mark.parametrize("field_type", FieldType.values)
@pytest.mark.parametrize("raw", [None, "", "   ", [], {}])
def test_an_empty_value_of_any_type_means_no_value(field_type: str, raw: Any):
    assert parse_value(definition_of(field_type, **TYPE_ATTRIBUTES.get(field_type, {})), raw) is None


def test_every_type_has_good_and_bad_examples():
    assert {row[0] for row in GOOD} == set(FieldType.values)
    assert {row[0] for row in BAD} == set(FieldType.values)
