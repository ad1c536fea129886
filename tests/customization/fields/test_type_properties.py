"""Properties of the parsers over generated input (hypothesis): a stored value parses again to
itself, nothing but ``InvalidValue`` ever escapes, decimals keep their value, dates and date-times
come out in one normal form."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customization.fields.choices import FieldType
from customization.fields.types import InvalidValue, parse_value
from tests.customization.fields.test_types import TYPE_ATTRIBUTES, definition_of

JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(UTC)),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=8,
)
DEFINITIONS = {field_type: definition_of(field_type, **TYPE_ATTRIBUTES.get(field_type, {})) for field_type in FieldType}


def _parsed_or_none(field_type: str, raw: Any) -> Any:
    try:
        return parse_value(DEFINITIONS[field_type], raw)
    except InvalidValue:
        return None


# Each field type is a case of its own with a share of the suite's examples, rather than one test
# drawing the type among fifteen with a raised budget: every type is sure to get its twenty, and no
# test raises ``max_examples`` above the profile's.
PER_TYPE = settings(max_examples=20)


@pytest.mark.parametrize("field_type", FieldType.values)
@PER_TYPE
@given(raw=JSONISH)
def test_a_parser_raises_nothing_but_invalid_value(field_type: str, raw: Any):
    message = "no error"
    try:
        parse_value(DEFINITIONS[field_type], raw)
    except InvalidValue as error:
        message = str(error)

    assert message  # a refusal always says why


@pytest.mark.parametrize("field_type", FieldType.values)
@PER_TYPE
@given(raw=JSONISH | st.from_regex(r"\s*[+-]?\d{1,8}([.,]\d{1,3})?\s*"))
def test_a_stored_value_parses_again_to_itself(field_type: str, raw: Any):
    stored = _parsed_or_none(field_type, raw)
    if stored is None:
        return
    assert parse_value(DEFINITIONS[field_type], stored) == stored


@given(value=st.decimals(min_value=Decimal("-999999999999"), max_value=Decimal("999999999999"), places=6))
def test_a_decimal_keeps_its_value(value: Decimal):
    stored = parse_value(DEFINITIONS[FieldType.DECIMAL], str(value))

    assert Decimal(stored) == value
    assert "E" not in stored


@given(value=st.decimals(min_value=Decimal("-999999999"), max_value=Decimal("999999999"), places=2))
def test_money_keeps_its_amount_with_two_places(value: Decimal):
    stored = parse_value(DEFINITIONS[FieldType.MONEY], {"amount": str(value), "currency": "usd"})

    assert stored == {"amount": format(value.quantize(Decimal("0.01")), "f"), "currency": "USD"}
    assert Decimal(stored["amount"]) == value


@given(
    moment=st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(8999, 12, 30)),  # noqa: DTZ001
    offset_minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_a_datetime_is_stored_as_utc_in_one_form(moment: datetime, offset_minutes: int):
    aware = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=offset_minutes)))

    stored = parse_value(DEFINITIONS[FieldType.DATETIME], aware.isoformat())

    assert stored == f"{aware.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"

    assert datetime.fromisoformat(stored) == aware


@given(day=st.dates(min_value=date(1000, 1, 1), max_value=date(8999, 12, 31)))
def test_a_date_is_stored_as_iso(day: Any):
    assert parse_value(DEFINITIONS[FieldType.DATE], day.isoformat()) == day.isoformat()
    assert parse_value(DEFINITIONS[FieldType.DATE], day) == day.isoformat()


@settings(max_examples=50)
@given(
    day=st.dates(max_value=date(999, 12, 31)) | st.dates(min_value=date(9000, 1, 1)),
    offset_minutes=st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
)
def test_dates_beyond_the_window_and_offsets_beyond_postgresql_are_refused(day: date, offset_minutes: int):
    moment = datetime(2030, 1, 1, tzinfo=timezone(timedelta(minutes=offset_minutes)))
    window = "Enter a date between the years 1000 and 8999."

    with pytest.raises(InvalidValue) as refused_day:
        parse_value(DEFINITIONS[FieldType.DATE], day)
    moment_refused = abs(offset_minutes) >= 16 * 60
    try:
        parse_value(DEFINITIONS[FieldType.DATETIME], moment.isoformat())
        refusal = ""
    except InvalidValue as error:
        refusal = str(error)

    assert str(refused_day.value) == window
    assert refusal == ("Give a time zone offset between -15:59 and +15:59." if moment_refused else "")


@given(number=st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1))
def test_a_whole_number_round_trips_through_text(number: int):
    assert parse_value(DEFINITIONS[FieldType.NUMBER], f" {number} ") == number
