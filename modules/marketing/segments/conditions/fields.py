"""Conditions on a field of the contact or of its company, standard or custom: the operators each
kind of field takes, reading the compared value, and the SQL expression compared. The catalogue is
the workflows' (``record_fields.field_catalog``), so a segment and a workflow rule offer the same
fields with the same labels and choices."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import F, Func, Q
from django.db.models.expressions import Expression
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IContains,
    IExact,
    In,
    IsNull,
    IStartsWith,
    LessThan,
    LessThanOrEqual,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.input_bounds import value_problem
from customization.fields.types import InvalidValue, is_empty
from customization.workflows.definition_values import choice_value, compare_as
from customization.workflows.record_fields import CUSTOM_PREFIX, FieldInfo, Kind, field_catalog

MAX_VALUES = 100
MAX_DAYS = 3650

_ORDERED = ("eq", "ne", "gt", "gte", "lt", "lte", "is_empty", "is_not_empty")
_DATES = ("eq", "gt", "gte", "lt", "lte", "in_last_days", "over_days_ago", "is_empty", "is_not_empty")
_CHOOSABLE = ("eq", "ne", "in", "not_in", "is_empty", "is_not_empty")
OPERATORS: dict[str, tuple[str, ...]] = {
    Kind.TEXT: ("eq", "ne", "contains", "not_contains", "starts_with", "in", "is_empty", "is_not_empty"),
    Kind.NUMBER: _ORDERED,
    Kind.DECIMAL: _ORDERED,
    Kind.MONEY: _ORDERED,
    Kind.DATE: _DATES,
    Kind.DATETIME: _DATES,
    Kind.BOOLEAN: ("eq", "is_empty", "is_not_empty"),
    Kind.CHOICE: _CHOOSABLE,
    Kind.MULTI_CHOICE: ("contains", "not_contains", "is_empty", "is_not_empty"),
    Kind.USER: _CHOOSABLE,
    Kind.RECORD: _CHOOSABLE,
}
VALUELESS = frozenset({"is_empty", "is_not_empty"})
LISTS = frozenset({"in", "not_in"})
DAYS = frozenset({"in_last_days", "over_days_ago"})
# Operators true for a contact whose field has no value at all.
_NEGATIVE = frozenset({"ne", "not_in", "not_contains"})

OPERATOR_LABELS = {
    "eq": "=",
    "ne": "≠",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "contains": gettext_lazy("contains"),
    "not_contains": gettext_lazy("does not contain"),
    "starts_with": gettext_lazy("starts with"),
    "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"),
    "is_empty": gettext_lazy("is empty"),
    "is_not_empty": gettext_lazy("is not empty"),
    "in_last_days": gettext_lazy("in the last (days)"),
    "over_days_ago": gettext_lazy("more than (days) ago"),
}
_TEXTUAL = frozenset({Kind.TEXT, Kind.CHOICE, Kind.MULTI_CHOICE})


def catalog(entity: str) -> dict[str, FieldInfo]:
    return {info.path: info for info in field_catalog(entity)}


def read_value(info: FieldInfo, op: str, raw: Any) -> Any:
    """The compared value in its stored form; ``InvalidValue`` naming what is wrong."""
    if op in DAYS:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise InvalidValue(_("Enter a whole number of days."))
        try:
            days = int(str(raw).strip())
        except ValueError:
            raise InvalidValue(_("Enter a whole number of days.")) from None
        if not 1 <= days <= MAX_DAYS:
            raise InvalidValue(_("Enter a number from %(low)d to %(high)d.") % {"low": 1, "high": MAX_DAYS})
        return days
    if op in LISTS:
        values = [part.strip() for part in raw.split(",") if part.strip()] if isinstance(raw, str) else raw
        if not isinstance(values, list) or not values or len(values) > MAX_VALUES:
            raise InvalidValue(_("Give from 1 to %(count)d values.") % {"count": MAX_VALUES})
        return [_one_value(info, item) for item in values]
    return _one_value(info, raw)


def _one_value(info: FieldInfo, raw: Any) -> Any:
    if is_empty(raw) or isinstance(raw, list | dict):
        raise InvalidValue(_("Enter a value."))
    problem = value_problem(raw)
    if problem:
        raise InvalidValue(problem)
    if info.kind in (Kind.CHOICE, Kind.MULTI_CHOICE) and info.choices:
        return choice_value(info, raw)
    if info.kind in (Kind.CHOICE, Kind.MULTI_CHOICE):
        return compare_as(Kind.TEXT)(raw)
    return compare_as(info.kind)(raw)


# --- SQL ------------------------------------------------------------------------------------------


def _is_foreign_key(info: FieldInfo) -> bool:
    return not info.is_custom and info.kind in (Kind.USER, Kind.RECORD)


def _expression(info: FieldInfo, prefix: str) -> Any:
    if not info.is_custom:
        return F(f"{prefix}{info.path}_id" if _is_foreign_key(info) else f"{prefix}{info.path}")
    key = info.path.removeprefix(CUSTOM_PREFIX)
    text: Expression = (
        KeyTextTransform("amount", KeyTransform(key, f"{prefix}custom"))
        if info.kind == Kind.MONEY
        else KeyTextTransform(key, f"{prefix}custom")
    )
    if info.kind in (Kind.NUMBER, Kind.DECIMAL, Kind.MONEY):
        return _Numeric(text)
    if info.kind == Kind.DATE:
        return Cast(text, models.DateField())
    if info.kind == Kind.DATETIME:
        return Cast(text, models.DateTimeField())
    return text


class _Numeric(Func):
    """``(text)::numeric``, as the custom fields' expression indexes cast (``customization.fields``)."""

    template = "((%(expressions)s)::numeric)"
    output_field = models.DecimalField()


def _typed(info: FieldInfo, value: Any) -> Any:
    """``value`` as the expression compares it (custom booleans, users and records are text)."""
    if info.is_custom and info.kind == Kind.BOOLEAN:
        return "true" if value else "false"
    if info.is_custom and info.kind in (Kind.USER, Kind.RECORD):
        return str(value)
    if info.kind in (Kind.NUMBER, Kind.DECIMAL, Kind.MONEY) and not isinstance(value, int):
        return Decimal(str(value))
    return value


def _empty(info: FieldInfo, expression: Expression, prefix: str) -> Q:
    empty = Q(IsNull(expression, True))
    if info.is_custom and info.kind == Kind.MULTI_CHOICE:
        return empty | Q(**{f"{prefix}custom__{info.path.removeprefix(CUSTOM_PREFIX)}": []})
    if info.kind in _TEXTUAL:
        empty |= Q(Exact(expression, ""))
    return empty


def field_q(info: FieldInfo, op: str, value: Any, *, prefix: str = "") -> Q:
    """``<prefix><field> <op> value`` as a ``Q`` over Contact (``prefix`` "company__" for the
    contact's company); a missing value never satisfies a positive comparison and always
    satisfies a negative one."""
    expression = _expression(info, prefix)
    if op == "is_empty":
        return _empty(info, expression, prefix)
    if op == "is_not_empty":
        return ~_empty(info, expression, prefix)
    if info.is_custom and info.kind == Kind.MULTI_CHOICE:
        key = info.path.removeprefix(CUSTOM_PREFIX)
        has = Q(**{f"{prefix}custom__{key}__contains": [value]})
        return has if op == "contains" else ~has | Q(**{f"{prefix}custom__{key}__isnull": True})
    if op in DAYS:
        moment: Any = timezone.now() - timedelta(days=value)
        if info.kind == Kind.DATE:
            moment = timezone.localdate(moment)
        if op == "in_last_days":
            return Q(GreaterThanOrEqual(expression, moment)) & Q(LessThanOrEqual(expression, _now_for(info)))
        return Q(LessThan(expression, moment))
    positive = _positive(info, op, value, expression)
    if op in _NEGATIVE:
        return ~positive | Q(IsNull(expression, True))
    return positive


def _now_for(info: FieldInfo) -> Any:
    return timezone.localdate() if info.kind == Kind.DATE else timezone.now()


def _positive(info: FieldInfo, op: str, value: Any, expression: Expression) -> Q:
    if op in ("in", "not_in"):
        return Q(In(expression, [_typed(info, item) for item in value]))
    if op in ("contains", "not_contains"):
        return Q(IContains(expression, value))
    if op == "starts_with":
        return Q(IStartsWith(expression, value))
    if info.kind == Kind.TEXT and op in ("eq", "ne"):
        return Q(IExact(expression, value))
    lookup = {
        "eq": Exact, "ne": Exact, "gt": GreaterThan, "gte": GreaterThanOrEqual, "lt": LessThan,
        "lte": LessThanOrEqual,
    }[op]  # fmt: skip
    return Q(lookup(expression, _typed(info, value)))
