"""A report's definition, read and checked against its source's fields before anything runs.

The stored form is JSON (``Report.definition``; the APIs take the same)::

    {"filters": [{"field": "status", "op": "eq", "value": "won"}],
     "group_by": [{"field": "closed_at", "bucket": "month"}, {"field": "custom.region"}],
     "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}],
     "sort": {"by": "measures.1", "descending": true},
     "columns": ["name", "amount"]}          # only without group_by: a list of records

Every refusal is a ``ValidationError`` keyed by the part it names (``group_by.0.field``,
``measures.1.fn``), so a page, REST and GraphQL all say which part is wrong.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.input_bounds import moment_problem, text_problem
from modules.analytics.reports.fields import DATED, NUMERIC, ORDERED, Kind, ReportField, unknown_field_message

BUCKETS = {
    "day": gettext_lazy("Day"),
    "week": gettext_lazy("Week"),
    "month": gettext_lazy("Month"),
    "quarter": gettext_lazy("Quarter"),
    "year": gettext_lazy("Year"),
}
MEASURES = {
    "count": gettext_lazy("Count"),
    "sum": gettext_lazy("Sum"),
    "avg": gettext_lazy("Average"),
    "min": gettext_lazy("Minimum"),
    "max": gettext_lazy("Maximum"),
    "count_distinct": gettext_lazy("Distinct values"),
}
OPERATORS = {
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
    "in": gettext_lazy("is one of"),
    "contains": gettext_lazy("contains"),
    "gt": gettext_lazy("greater than"),
    "gte": gettext_lazy("at least"),
    "lt": gettext_lazy("less than"),
    "lte": gettext_lazy("at most"),
    "isnull": gettext_lazy("is empty (true/false)"),
}
MAX_DIMENSIONS = 2
MAX_MEASURES = 6
MAX_FILTERS = 20
MAX_COLUMNS = 30
MAX_IN_VALUES = 100
MAX_TEXT = 255


def operators_for(kind: Kind) -> tuple[str, ...]:
    if kind in NUMERIC:
        return ("eq", "ne", "gt", "gte", "lt", "lte", "isnull")
    if kind in DATED:
        return ("eq", "gt", "gte", "lt", "lte", "isnull")
    if kind == Kind.BOOLEAN:
        return ("eq", "isnull")
    if kind in (Kind.CHOICE, Kind.RECORD, Kind.USER):
        return ("eq", "ne", "in", "isnull")
    return ("eq", "ne", "contains", "isnull")


def measures_for(kind: Kind) -> tuple[str, ...]:
    """The measures a field of ``kind`` takes (``count`` takes no field)."""
    if kind in NUMERIC:
        return ("sum", "avg", "min", "max", "count_distinct")
    if kind in ORDERED:
        return ("min", "max", "count_distinct")
    return ("count_distinct",)


@dataclass(frozen=True)
class Filter:
    field: ReportField
    op: str
    value: Any


@dataclass(frozen=True)
class Dimension:
    field: ReportField
    bucket: str | None

    @property
    def label(self) -> str:
        if self.bucket is None:
            return self.field.label
        return f"{self.field.label} ({str(BUCKETS[self.bucket]).lower()})"


@dataclass(frozen=True)
class Measure:
    fn: str
    field: ReportField | None

    @property
    def label(self) -> str:
        if self.field is None:
            return str(MEASURES[self.fn])
        return f"{MEASURES[self.fn]}: {self.field.label}"

    @property
    def unit(self) -> str:
        """What the figures are in, so a chart can give measures on other scales their own axis:
        ``count`` (of records or of distinct values), ``money`` (the base currency) or the field's
        kind (``number``, a date's)."""
        if self.field is None or self.fn in ("count", "count_distinct"):
            return "count"
        return str(self.field.kind)


@dataclass(frozen=True)
class Spec:
    """A checked definition: what ``execution.run`` builds its query from."""

    filters: tuple[Filter, ...]
    dimensions: tuple[Dimension, ...]
    measures: tuple[Measure, ...]
    sort_by: str | None  # "group_by.<n>" or "measures.<n>"
    descending: bool
    columns: tuple[ReportField, ...]
    # The filters (the run's extra ones included) and groupings as given: what a group's link and a
    # workflow started on a group carry, to check and run again for whoever follows them.
    selection: dict[str, Any] = dataclasses.field(default_factory=dict)


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def _list(raw: Any, key: str, errors: _Errors, limit: int) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.add(key, _("Give a list."))
        return []
    if len(raw) > limit:
        errors.add(key, _("At most %(count)d.") % {"count": limit})
        return []
    return raw


def _field(raw: Any, key: str, fields: dict[str, ReportField], errors: _Errors) -> ReportField | None:
    if not isinstance(raw, str) or raw not in fields:
        errors.add(key, unknown_field_message(str(raw)[:100]))
        return None
    return fields[raw]


def parse_value(field: ReportField, op: str, raw: Any) -> Any:
    """``raw`` as the value ``field`` is compared with; ``ValueError`` with the reason."""
    if op == "isnull":
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in ("true", "false"):
            return str(raw).lower() == "true"
        raise ValueError(_("Enter true or false."))
    if op == "in":
        values = raw if isinstance(raw, list) else str(raw).split(",")
        if not values or len(values) > MAX_IN_VALUES:
            raise ValueError(_("Give between 1 and %(count)d values.") % {"count": MAX_IN_VALUES})
        return [parse_value(field, "eq", value) for value in values]
    if raw is None or isinstance(raw, dict | list):
        raise ValueError(_("Enter a value to filter by."))
    text = str(raw).strip()
    if not text or len(text) > MAX_TEXT:
        raise ValueError(_("Enter a value of at most %(count)d characters.") % {"count": MAX_TEXT})
    problem = text_problem(text)
    if problem:
        raise ValueError(problem)
    kind = field.kind
    if kind in NUMERIC:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("Enter a number.")) from None
        if not number.is_finite() or abs(number) >= Decimal("1e18"):
            raise ValueError(_("Enter a number."))
        return number
    if kind in DATED:
        try:
            day = date.fromisoformat(text[:10]) if len(text) <= 10 else datetime.fromisoformat(text).date()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
        problem = moment_problem(day)
        if problem:
            raise ValueError(problem)
        return day
    if kind == Kind.BOOLEAN:
        if text.lower() not in ("true", "false"):
            raise ValueError(_("Enter true or false."))
        return text.lower() == "true"
    if kind == Kind.CHOICE:
        if field.choices is not None and text not in field.choices:
            raise ValueError(_("%(value)s is not one of the choices.") % {"value": text[:50]})
        return text
    if kind in (Kind.RECORD, Kind.USER):
        if not text.isdigit() or int(text) > 2**63 - 1:
            raise ValueError(_("Enter a record id."))
        return int(text)
    return text


def _filter(raw: Any, key: str, fields: dict[str, ReportField], errors: _Errors) -> Filter | None:
    if not isinstance(raw, dict):
        errors.add(key, _("Give field, op and value."))
        return None
    field = _field(raw.get("field"), f"{key}.field", fields, errors)
    if field is None:
        return None
    op = raw.get("op", "eq")
    if op not in operators_for(field.kind):
        allowed = ", ".join(operators_for(field.kind))
        errors.add(f"{key}.op", _("%(field)s can be filtered with: %(ops)s.") % {"field": field.name, "ops": allowed})
        return None
    try:
        value = parse_value(field, op, raw.get("value"))
    except ValueError as error:
        errors.add(f"{key}.value", str(error))
        return None
    return Filter(field, op, value)


def _dimension(raw: Any, key: str, fields: dict[str, ReportField], errors: _Errors) -> Dimension | None:
    if not isinstance(raw, dict):
        errors.add(key, _("Give a field (and a bucket for dates)."))
        return None
    field = _field(raw.get("field"), f"{key}.field", fields, errors)
    if field is None:
        return None
    bucket = raw.get("bucket")
    if field.kind in DATED:
        bucket = bucket or "month"
        if bucket not in BUCKETS:
            errors.add(f"{key}.bucket", _("Choose one of: %(choices)s.") % {"choices": ", ".join(BUCKETS)})
            return None
    elif bucket:
        errors.add(f"{key}.bucket", _("%(field)s is not a date.") % {"field": field.name})
        return None
    elif field.kind in NUMERIC:
        errors.add(
            f"{key}.field", _("%(field)s is an amount: measure it rather than group by it.") % {"field": field.name}
        )
        return None
    return Dimension(field, bucket)


def _measure(raw: Any, key: str, fields: dict[str, ReportField], errors: _Errors) -> Measure | None:
    if not isinstance(raw, dict) or raw.get("fn") not in MEASURES:
        errors.add(f"{key}.fn", _("Choose one of: %(choices)s.") % {"choices": ", ".join(MEASURES)})
        return None
    fn = raw["fn"]
    if fn == "count":
        return Measure(fn, None)
    field = _field(raw.get("field"), f"{key}.field", fields, errors)
    if field is None:
        return None
    if fn not in measures_for(field.kind):
        errors.add(
            f"{key}.fn",
            _("%(field)s takes the measures: %(choices)s.")
            % {"field": field.name, "choices": ", ".join(measures_for(field.kind))},
        )
        return None
    return Measure(fn, field)


def read_definition(raw: Any, fields: dict[str, ReportField], *, extra_filters: list[Any] | None = None) -> Spec:
    """The checked ``Spec`` of ``raw``, or a ``ValidationError`` naming every wrong part."""
    errors = _Errors()
    if not isinstance(raw, dict):
        raise ValidationError({"definition": [_("Give the report's definition as an object.")]})
    unknown = sorted(set(raw) - {"filters", "group_by", "measures", "sort", "columns"})
    for name in unknown:
        errors.add(str(name)[:50], _("Unknown part of a report definition."))
    filters = [
        _filter(item, f"filters.{index}", fields, errors)
        for index, item in enumerate(_list(raw.get("filters"), "filters", errors, MAX_FILTERS))
    ]
    filters += [
        _filter(item, f"extra_filters.{index}", fields, errors) for index, item in enumerate(extra_filters or [])
    ]
    dimensions = [
        _dimension(item, f"group_by.{index}", fields, errors)
        for index, item in enumerate(_list(raw.get("group_by"), "group_by", errors, MAX_DIMENSIONS))
    ]
    measures = [
        _measure(item, f"measures.{index}", fields, errors)
        for index, item in enumerate(_list(raw.get("measures"), "measures", errors, MAX_MEASURES))
    ]
    columns = [
        _field(item, f"columns.{index}", fields, errors)
        for index, item in enumerate(_list(raw.get("columns"), "columns", errors, MAX_COLUMNS))
    ]
    if dimensions and columns:
        errors.add("columns", _("A grouped report shows its groups; columns are for a list of records."))
    if not measures and not columns:
        if dimensions:
            measures = [Measure("count", None)]
        else:
            errors.add("measures", _("Choose a measure, a grouping or columns to list."))
    if columns and measures and not dimensions:
        errors.add("measures", _("A list of records has no measures; group it to measure."))
    sort_by, descending = _sort(raw.get("sort"), len(dimensions), len(measures), errors)
    if errors.errors:
        raise ValidationError(errors.errors)
    return Spec(
        filters=tuple(item for item in filters if item is not None),
        dimensions=tuple(item for item in dimensions if item is not None),
        measures=tuple(item for item in measures if item is not None),
        sort_by=sort_by,
        descending=descending,
        columns=tuple(item for item in columns if item is not None),
        selection={
            "filters": [*(raw.get("filters") or []), *(extra_filters or [])],
            "group_by": raw.get("group_by") or [],
        },
    )


def _sort(raw: Any, dimensions: int, measures: int, errors: _Errors) -> tuple[str | None, bool]:
    if raw is None:
        return None, False
    if not isinstance(raw, dict):
        errors.add("sort", _("Give by and descending."))
        return None, False
    by = raw.get("by")
    allowed = [f"group_by.{index}" for index in range(dimensions)] + [f"measures.{index}" for index in range(measures)]
    if by not in allowed:
        errors.add("sort.by", _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed) or "-"})
        return None, False
    return by, bool(raw.get("descending", False))
