"""Parsing one custom-field value by its type. Each parser takes what a form, an API client, an
import file or a workflow gives (str, number, bool, list, dict) and returns the JSON value stored
in the ``custom`` column, or raises ``InvalidValue`` with a message for the user.

Stored forms are chosen so the database can filter and sort them: numbers and decimals as JSON
numbers/strings that cast to ``numeric``, dates as ``YYYY-MM-DD`` and date-times as UTC
``YYYY-MM-DDTHH:MM:SSZ`` (both sort correctly as text), money as ``{"amount": "12.50",
"currency": "EUR"}``."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.input_bounds import moment_problem
from customization.fields.choices import FieldType

MAX_TEXT = 255
MAX_LONG_TEXT = 10_000
MAX_URL = 2_000
# Whole numbers stay within what JavaScript clients read exactly.
MAX_INTEGER = 2**53 - 1
DECIMAL_MAX_DIGITS = 18
DECIMAL_PLACES = 6
_INTEGER = re.compile(r"^[+-]?\d+$")
_PHONE = re.compile(r"^\+?[0-9 ().\-/]{3,40}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_TRUE = {"true", "1", "yes", "on", "y"}
_FALSE = {"false", "0", "no", "off", "n"}


class InvalidValue(ValueError):
    """A value the field's type cannot hold; ``str(error)`` is the user-facing message."""


def is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, list | dict) and not raw)


def _text(limit: int) -> Callable[[Any, Any], Any]:
    def parse(raw: Any, definition: Any) -> str:
        if not isinstance(raw, str):
            raise InvalidValue(_("Enter text."))
        value = raw.strip()
        if "\x00" in value:
            raise InvalidValue(_("Text cannot contain NUL characters."))
        if len(value) > limit:
            raise InvalidValue(_("Enter at most %(limit)d characters.") % {"limit": limit})
        return value

    return parse


def parse_number(raw: Any, definition: Any = None) -> int:
    if isinstance(raw, bool):
        raise InvalidValue(_("Enter a whole number."))
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str) and _INTEGER.match(raw.strip()):
        raw = int(raw.strip())
    if not isinstance(raw, int):
        raise InvalidValue(_("Enter a whole number."))
    if abs(raw) > MAX_INTEGER:
        raise InvalidValue(_("Enter a number between -%(max)d and %(max)d.") % {"max": MAX_INTEGER})
    return raw


def _to_decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise InvalidValue(_("Enter a number."))
    try:
        value = Decimal(str(raw).strip().replace(",", ".")) if isinstance(raw, str) else Decimal(str(raw))
    except InvalidOperation:
        raise InvalidValue(_("Enter a number.")) from None
    if not value.is_finite():
        raise InvalidValue(_("Enter a number."))
    value = value.normalize()
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -DECIMAL_PLACES:
        raise InvalidValue(_("Use at most %(places)d decimal places.") % {"places": DECIMAL_PLACES})
    if abs(value) >= Decimal(10) ** (DECIMAL_MAX_DIGITS - DECIMAL_PLACES):
        raise InvalidValue(_("The number is too large."))
    return value


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def parse_decimal(raw: Any, definition: Any = None) -> str:
    return _decimal_text(_to_decimal(raw))


def parse_money(raw: Any, definition: Any = None) -> dict[str, str]:
    default_currency = getattr(definition, "currency", "") or ""
    if isinstance(raw, dict):
        unknown = set(raw) - {"amount", "currency"}
        if unknown:
            raise InvalidValue(_("Give only an amount and a currency."))
        amount, currency = raw.get("amount"), raw.get("currency") or default_currency
    else:
        amount, currency = raw, default_currency
    if is_empty(amount):
        raise InvalidValue(_("Enter an amount."))
    if not isinstance(currency, str) or not _CURRENCY.match(currency.strip().upper()):
        raise InvalidValue(_("Give a three-letter currency code, e.g. EUR."))
    value = _to_decimal(amount)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise InvalidValue(_("Use at most 2 decimal places for money."))
    return {"amount": format(value.quantize(Decimal("0.01")), "f"), "currency": currency.strip().upper()}


def parse_date_value(raw: Any, definition: Any = None) -> str:
    if isinstance(raw, datetime):
        raise InvalidValue(_("Enter a date without a time, as YYYY-MM-DD."))
    parsed = raw if isinstance(raw, date) else None
    if isinstance(raw, str):
        try:
            parsed = parse_date(raw.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise InvalidValue(_("Enter a valid date as YYYY-MM-DD."))
    if problem := moment_problem(parsed):  # the platform's window (core.input_bounds)
        raise InvalidValue(problem)
    return parsed.isoformat()


def parse_datetime_value(raw: Any, definition: Any = None) -> str:
    parsed: datetime | None = raw if isinstance(raw, datetime) else None
    if isinstance(raw, str):
        try:
            parsed = parse_datetime(raw.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise InvalidValue(_("Enter a valid date and time in ISO 8601, e.g. 2026-05-01T09:30:00+02:00."))
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InvalidValue(_("Include a time zone offset, e.g. +02:00 or Z."))
    if problem := moment_problem(parsed):  # the platform's window and offsets (core.input_bounds)
        raise InvalidValue(problem)
    return f"{parsed.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def parse_boolean(raw: Any, definition: Any = None) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE:
        return True
    if isinstance(raw, str) and raw.strip().lower() in _FALSE:
        return False
    raise InvalidValue(_("Enter true or false."))


def parse_single_select(raw: Any, definition: Any) -> str:
    if not isinstance(raw, str) or raw not in definition.option_values:
        raise InvalidValue(_("Choose one of: %(options)s.") % {"options": ", ".join(definition.option_values)})
    return raw


def parse_multi_select(raw: Any, definition: Any) -> list[str]:
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list | tuple):
        raise InvalidValue(_("Give a list of options."))
    allowed = definition.option_values
    wrong = [str(value) for value in values if not isinstance(value, str) or value not in allowed]
    if wrong:
        raise InvalidValue(
            _("Not an option: %(wrong)s. Choose from: %(options)s.")
            % {"wrong": ", ".join(wrong), "options": ", ".join(allowed)}
        )
    return list(dict.fromkeys(values))


def parse_email(raw: Any, definition: Any = None) -> str:
    if not isinstance(raw, str):
        raise InvalidValue(_("Enter a valid e-mail address."))
    value = raw.strip()
    try:
        validate_email(value)
    except ValidationError:
        raise InvalidValue(_("Enter a valid e-mail address.")) from None
    local, _at, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def parse_phone(raw: Any, definition: Any = None) -> str:
    if not isinstance(raw, str) or not _PHONE.match(raw.strip()) or sum(c.isdigit() for c in raw) < 3:
        raise InvalidValue(_("Enter a phone number: digits, spaces, + ( ) - . / only."))
    return raw.strip()


def parse_url(raw: Any, definition: Any = None) -> str:
    if not isinstance(raw, str):
        raise InvalidValue(_("Enter a valid URL starting with http:// or https://."))
    value = raw.strip()
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise InvalidValue(_("Enter a valid URL starting with http:// or https://.")) from None
    if len(value) > MAX_URL:
        raise InvalidValue(_("Enter at most %(limit)d characters.") % {"limit": MAX_URL})
    return value


def parse_record_id(raw: Any, definition: Any = None) -> int:
    """Users and references store the id; the validator checks that the row exists."""
    try:
        value = parse_number(raw)
    except InvalidValue:
        raise InvalidValue(_("Give the id of a record.")) from None
    if value < 1:
        raise InvalidValue(_("Give the id of a record."))
    return value


PARSERS: dict[str, Callable[[Any, Any], Any]] = {
    FieldType.TEXT: _text(MAX_TEXT),
    FieldType.LONG_TEXT: _text(MAX_LONG_TEXT),
    FieldType.NUMBER: parse_number,
    FieldType.DECIMAL: parse_decimal,
    FieldType.MONEY: parse_money,
    FieldType.DATE: parse_date_value,
    FieldType.DATETIME: parse_datetime_value,
    FieldType.BOOLEAN: parse_boolean,
    FieldType.SINGLE_SELECT: parse_single_select,
    FieldType.MULTI_SELECT: parse_multi_select,
    FieldType.EMAIL: parse_email,
    FieldType.PHONE: parse_phone,
    FieldType.URL: parse_url,
    FieldType.USER: parse_record_id,
    FieldType.REFERENCE: parse_record_id,
}


def parse_value(definition: Any, raw: Any) -> Any:
    """The stored form of ``raw`` for ``definition`` (None when empty); raises ``InvalidValue``."""
    if is_empty(raw):
        return None
    return PARSERS[definition.field_type](raw, definition)
