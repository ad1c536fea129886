"""What the parts of a rule's definition share while they are validated: the limits, the
operators each kind of field supports, the error collector, and parsing a value by field kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from customization.fields.types import (
    InvalidValue,
    parse_boolean,
    parse_date_value,
    parse_datetime_value,
    parse_decimal,
    parse_number,
    parse_record_id,
)
from customization.workflows.choices import Trigger
from customization.workflows.record_fields import FieldInfo, Kind

MAX_ACTIONS = 20
MAX_GROUP_DEPTH = 3
MAX_CONDITIONS = 50
MAX_LIST_VALUES = 50
MAX_TEXT = 500
MAX_SUBJECT = 200
MAX_OFFSET_DAYS = 365
MAX_DUE_DAYS = 365
MAX_WAIT_HOURS = 90 * 24
MAX_HEADERS = 20
HTTP_METHODS = ("POST", "PUT", "PATCH", "GET", "DELETE")
RECORD_OWNER = "record_owner"
EMAIL_RECIPIENTS = ("record", "owner")

VALUELESS = frozenset({"is_empty", "is_not_empty", "changed"})
_ORDERED = ("eq", "ne", "gt", "gte", "lt", "lte", "is_empty", "is_not_empty", "changed")
_CHOOSABLE = ("eq", "ne", "in", "is_empty", "is_not_empty", "changed")
OPERATORS: dict[str, tuple[str, ...]] = {
    Kind.TEXT: ("eq", "ne", "contains", "in", "is_empty", "is_not_empty", "changed"),
    Kind.NUMBER: _ORDERED,
    Kind.DECIMAL: _ORDERED,
    Kind.MONEY: _ORDERED,
    Kind.DATE: _ORDERED,
    Kind.DATETIME: _ORDERED,
    Kind.BOOLEAN: ("eq", "ne", "is_empty", "is_not_empty", "changed"),
    Kind.CHOICE: _CHOOSABLE,
    Kind.MULTI_CHOICE: ("contains", "is_empty", "is_not_empty", "changed"),
    Kind.USER: _CHOOSABLE,
    Kind.RECORD: _CHOOSABLE,
}
# Triggers fired by a change, where a condition may ask whether a field changed in it.
CHANGE_TRIGGERS = frozenset({Trigger.RECORD_UPDATED, Trigger.FIELD_CHANGED})
DATE_KINDS = frozenset({Kind.DATE, Kind.DATETIME})


def operators_for_kind(kind: str) -> tuple[str, ...]:
    return OPERATORS.get(kind, ("eq", "ne", "is_empty", "is_not_empty", "changed"))


def empty_conditions() -> dict[str, Any]:
    return {"match": "all", "conditions": []}


class Errors:
    """Messages collected per path, raised together."""

    def __init__(self) -> None:
        self.messages: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.messages.setdefault(path, []).append(message)

    def raise_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


@dataclass
class Context:
    entity: str
    trigger: str
    fields: dict[str, FieldInfo]
    errors: Errors

    def field(self, path: str, raw: Any) -> FieldInfo | None:
        """The catalogue entry for ``raw`` or None, with the error recorded at ``path``."""
        if not isinstance(raw, str) or not raw:
            self.errors.add(path, _("Choose a field."))
            return None
        info = self.fields.get(raw)
        if info is None:
            self.errors.add(path, _("%(field)s is not a field of this record type.") % {"field": raw})
        return info


def int_in(errors: Errors, path: str, raw: Any, low: int, high: int) -> int | None:
    try:
        value = parse_number(raw)
    except InvalidValue:
        errors.add(path, _("Enter a whole number."))
        return None
    if not low <= value <= high:
        errors.add(path, _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high})
        return None
    return value


def choice_value(info: FieldInfo, raw: Any) -> str:
    values = [value for value, _label in info.choices]
    if str(raw) not in values:
        raise InvalidValue(_("Choose one of the options."))
    return str(raw)


def active_user(raw: Any) -> int:
    user_id = parse_record_id(raw)
    if not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
        raise InvalidValue(_("No active user has the id %(id)s.") % {"id": user_id})
    return user_id


def text_value(raw: Any) -> str:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool) or not str(raw).strip():
        raise InvalidValue(_("Enter a value."))
    if len(str(raw)) > MAX_TEXT:
        raise InvalidValue(_("Enter at most %(limit)d characters.") % {"limit": MAX_TEXT})
    return str(raw).strip()


# How a value compared with (or written to) a field of each kind is read, in its stored form.
COMPARED: dict[str, Callable[[Any], Any]] = {
    Kind.TEXT: text_value,
    Kind.NUMBER: parse_number,
    Kind.DECIMAL: parse_decimal,
    Kind.MONEY: parse_decimal,
    Kind.DATE: parse_date_value,
    Kind.DATETIME: parse_datetime_value,
    Kind.BOOLEAN: parse_boolean,
    Kind.USER: active_user,
    Kind.RECORD: parse_record_id,
}


def compare_as(kind: str) -> Callable[[Any], Any]:
    """The parser of a comparison value for a field of ``kind`` (text when the kind has none)."""
    return COMPARED.get(kind, text_value)
