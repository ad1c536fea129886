"""Evaluating a rule's conditions against the record as it is now.

A group ``{"match": "all" | "any", "conditions": [...]}`` holds comparisons ``{"field", "op",
"value"}`` and nested groups; an empty group matches. Values compare by the field's kind
(numbers and money as decimals, dates as dates, users and records as ids, multi-choice as sets).
``changed`` asks whether the triggering event changed the field. The result carries the verdict
of every condition, which the dry run and the run log show."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.dateparse import parse_date, parse_datetime

from customization.workflows.engine.context import json_value
from customization.workflows.record_fields import Kind, field_catalog, read_field

OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "contains", "in", "is_empty", "is_not_empty", "changed")
_NUMERIC = frozenset({Kind.NUMBER, Kind.DECIMAL, Kind.MONEY})


@dataclass(frozen=True)
class ConditionResult:
    matched: bool
    detail: dict[str, Any]


class _Incomparable(Exception):
    pass


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, dict):  # money {amount, currency}
        value = value.get("amount")
    if isinstance(value, bool) or value is None:
        raise _Incomparable
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as error:
        raise _Incomparable from error


def _to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed = parse_date(str(value)[:10]) if value is not None else None
    if parsed is None:
        raise _Incomparable
    return parsed


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    parsed = parse_datetime(str(value).replace("Z", "+00:00")) if value is not None else None
    if parsed is None:
        raise _Incomparable
    return parsed


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off", ""}:
        return False
    raise _Incomparable


def _to_id(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise _Incomparable from error


def _coercer(kind: str) -> Callable[[Any], Any]:
    if kind in _NUMERIC:
        return _to_decimal
    if kind == Kind.DATE:
        return _to_date
    if kind == Kind.DATETIME:
        return _to_datetime
    if kind == Kind.BOOLEAN:
        return _to_bool
    if kind in (Kind.USER, Kind.RECORD):
        return _to_id
    return lambda value: "" if value is None else str(value)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple | set):
        return list(value)
    if isinstance(value, str) and "," in value:
        return [item.strip() for item in value.split(",")]
    return [value]


def _compare(op: str, actual: Any, expected: Any, kind: str) -> bool:
    if op == "is_empty":
        return _empty(actual)
    if op == "is_not_empty":
        return not _empty(actual)
    coerce = _coercer(kind)
    if kind == Kind.MULTI_CHOICE:
        have = {str(item) for item in (actual or [])}
        wanted = {str(item) for item in _as_list(expected)}
        checks = {"eq": have == wanted, "ne": have != wanted, "contains": wanted <= have, "in": bool(have & wanted)}
        if op not in checks:
            raise _Incomparable
        return checks[op]
    if op == "contains":
        return str(expected).lower() in ("" if actual is None else str(json_value(actual))).lower()
    if op == "in":
        if _empty(actual):
            return False
        return coerce(actual) in {coerce(item) for item in _as_list(expected)}
    if _empty(actual):
        # An empty field equals only an empty value and is neither greater nor smaller than anything.
        return (op == "eq" and _empty(expected)) or (op == "ne" and not _empty(expected))
    if _empty(expected):
        return op == "ne"
    left, right = coerce(actual), coerce(expected)
    if kind == Kind.TEXT or kind == Kind.CHOICE:
        left, right = str(left).lower(), str(right).lower()
    comparisons: dict[str, Callable[[Any, Any], bool]] = {
        "eq": lambda a, b: a == b,
        "ne": lambda a, b: a != b,
        "gt": lambda a, b: a > b,
        "gte": lambda a, b: a >= b,
        "lt": lambda a, b: a < b,
        "lte": lambda a, b: a <= b,
    }
    if op not in comparisons:
        raise _Incomparable
    return comparisons[op](left, right)


class Evaluator:
    """Evaluates condition groups for one record; ``changed_fields`` are the paths the triggering
    event changed (None: the event created the record, so every filled field counts as changed)."""

    def __init__(self, record: models.Model, entity: str, changed_fields: Collection[str] | None) -> None:
        self.record = record
        self.entity = entity
        self.changed_fields = changed_fields
        self._kinds: dict[str, str] | None = None

    @property
    def kinds(self) -> dict[str, str]:
        if self._kinds is None:
            self._kinds = {info.path: info.kind for info in field_catalog(self.entity)}
        return self._kinds

    def group(self, group: dict[str, Any] | None) -> ConditionResult:
        group = group or {}
        match = group.get("match", "all")
        items = [self.item(item) for item in group.get("conditions") or []]
        if not items:
            matched = True
        elif match == "any":
            matched = any(item.matched for item in items)
        else:
            matched = all(item.matched for item in items)
        return ConditionResult(
            matched, {"match": match, "matched": matched, "conditions": [item.detail for item in items]}
        )

    def item(self, item: dict[str, Any]) -> ConditionResult:
        if "conditions" in item:
            return self.group(item)
        path, op, expected = str(item.get("field", "")), str(item.get("op", "eq")), item.get("value")
        detail: dict[str, Any] = {"field": path, "op": op, "value": expected}
        if path not in self.kinds:
            return ConditionResult(False, {**detail, "matched": False, "error": "unknown field"})
        actual = read_field(self.record, path)
        detail["actual"] = json_value(actual)
        if op == "changed":
            matched = not _empty(actual) if self.changed_fields is None else path in self.changed_fields
            return ConditionResult(matched, {**detail, "matched": matched})
        if op not in OPERATORS:
            return ConditionResult(False, {**detail, "matched": False, "error": "unknown operator"})
        try:
            matched = _compare(op, actual, expected, self.kinds[path])
        except _Incomparable:
            return ConditionResult(False, {**detail, "matched": False, "error": "values cannot be compared"})
        return ConditionResult(matched, {**detail, "matched": matched})


def changed_fields_of(event: Any) -> list[str] | None:
    """The field paths an event changed; None for a creation (or no event)."""
    if event is None or str(event.type).endswith(".created"):
        return None
    if str(event.type).endswith(".stage_changed"):
        return ["stage", "status"]
    return [str(change.get("field")) for change in (event.data or {}).get("changes", [])]


def evaluate(conditions: dict[str, Any] | None, record: models.Model, entity: str, event: Any) -> ConditionResult:
    return Evaluator(record, entity, changed_fields_of(event)).group(conditions)
