"""Custom fields on the record lists: filters, columns and sorting read from the query string.

- filters: ``cf.<key>=value`` (equals) or ``cf.<key>.<op>=value`` with an operator from
  ``queries.operators_for``; a refused filter (unknown field, wrong operator, bad value) is not
  applied and its message is shown;
- columns: ``columns=<key>,<key>`` (also repeated ``columns=``), unknown keys are ignored;
- sort: ``sort=cf.<key>`` or ``sort=-cf.<key>``; pages are cut by keyset on (value, id) with
  empty values last, matching ``queries.order_by_custom``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customization.fields.choices import SELECT_TYPES
from customization.fields.models import CustomFieldDefinition
from customization.fields.queries import (
    after_position,
    custom_filter,
    operators_for,
    order_by_custom,
    position_of,
    read_position,
    sort_expression,
)
from customization.fields.validation import definitions_for

PREFIX = "cf."
COLUMNS = "columns"
SORT_ALIAS = "_cf_sort"
OPERATOR_LABELS = {
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
    "isnull": gettext_lazy("is empty (true/false)"),
    "contains": gettext_lazy("contains"),
    "gt": gettext_lazy("greater than"),
    "gte": gettext_lazy("at least"),
    "lt": gettext_lazy("less than"),
    "lte": gettext_lazy("at most"),
}
# The "add filter" control submits these; the view turns them into ``cf.<key>.<op>``.
ADD_FIELD, ADD_OP, ADD_VALUE = "cf_field", "cf_op", "cf_value"


@dataclass(frozen=True)
class ActiveFilter:
    definition: CustomFieldDefinition
    op: str
    value: str
    param: str
    condition: Q

    @property
    def label(self) -> str:
        value = self.value
        if self.definition.field_type in SELECT_TYPES and self.op != "isnull":
            value = self.definition.option_label(value)
        return f"{self.definition.display_label} {OPERATOR_LABELS.get(self.op, self.op)} {value}"


@dataclass
class ListState:
    """What a list's query string asks of the custom fields."""

    definitions: list[CustomFieldDefinition]
    filters: list[ActiveFilter] = field(default_factory=list)
    columns: list[CustomFieldDefinition] = field(default_factory=list)
    sort: CustomFieldDefinition | None = None
    descending: bool = False
    errors: list[str] = field(default_factory=list)

    def apply(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """``queryset`` narrowed by the accepted filters."""
        for active in self.filters:
            alias = {f"_cf_{active.definition.key}": sort_expression(active.definition)}
            queryset = queryset.alias(**alias).filter(active.condition)
        return queryset

    def query(self) -> dict[str, str]:
        """The accepted filters and the chosen columns as query-string parameters."""
        params = {active.param: active.value for active in self.filters}
        if self.columns:
            params[COLUMNS] = ",".join(definition.key for definition in self.columns)
        return params

    @property
    def sort_param(self) -> str | None:
        if self.sort is None:
            return None
        return f"{'-' if self.descending else ''}{PREFIX}{self.sort.key}"

    def filter_choices(self) -> list[dict[str, Any]]:
        """Fields a user may add a filter on, with their operators (for the "add filter" control)."""
        return [
            {
                "definition": definition,
                "operators": [(op, OPERATOR_LABELS[op]) for op in operators_for(definition)],
                "op_codes": " ".join(operators_for(definition)),
            }
            for definition in self.definitions
        ]

    def column_headers(self, params: Mapping[str, str], current_sort: str) -> list[dict[str, Any]]:
        """One header per chosen column: label, sort link (toggles direction) and direction."""
        headers = []
        for definition in self.columns:
            ascending = f"{PREFIX}{definition.key}"
            direction = "asc" if current_sort == ascending else "desc" if current_sort == f"-{ascending}" else None
            new_sort = f"-{ascending}" if direction == "asc" else ascending
            link = "?" + urlencode(
                {**{k: v for k, v in params.items() if k not in ("after", "cursor", "page")}, "sort": new_sort}
            )
            headers.append(
                {"key": f"cf.{definition.key}", "label": definition.display_label, "link": link, "direction": direction}
            )
        return headers


def _split_param(name: str) -> tuple[str, str]:
    rest = name[len(PREFIX) :]
    key, _dot, op = rest.partition(".")
    return key, op or "eq"


def read_state(entity: str, params: Mapping[str, Any]) -> ListState:
    """The custom-field filters, columns and sort in ``params`` (a QueryDict or a dict)."""
    definitions = definitions_for(entity)
    by_key = {definition.key: definition for definition in definitions}
    state = ListState(definitions=definitions)
    for name in params:
        if not isinstance(name, str) or not name.startswith(PREFIX):
            continue
        value = str(params.get(name) or "").strip()
        if not value:
            continue
        key, op = _split_param(name)
        definition = by_key.get(key)
        if definition is None:
            state.errors.append(_("There is no custom field “%(key)s”; its filter is not applied.") % {"key": key})
            continue
        try:
            condition = custom_filter(definition, op, value, param=name)
        except ValidationError as error:
            message = " ".join(error.messages)
            state.errors.append(
                _("Filter “%(field)s”: %(message)s") % {"field": definition.display_label, "message": message}
            )
            continue
        state.filters.append(ActiveFilter(definition, op, value, name, condition))
    getlist = getattr(params, "getlist", None)
    raw_columns = getlist(COLUMNS) if getlist else [params.get(COLUMNS) or ""]
    chosen = {key.strip() for raw in raw_columns for key in str(raw).split(",") if key.strip()}
    state.columns = [definition for definition in definitions if definition.key in chosen]
    sort = str(params.get("sort") or "")
    if sort.lstrip("-").startswith(PREFIX):
        definition = by_key.get(sort.lstrip("-")[len(PREFIX) :])
        if definition is not None:
            state.sort, state.descending = definition, sort.startswith("-")
    return state


def custom_params(data: Mapping[str, Any]) -> dict[str, str]:
    """The ``cf.*`` filters and the ``columns`` choice in ``data`` (a QueryDict), e.g. to save a view."""
    params = {key: str(data.get(key)) for key in data if key.startswith(PREFIX) and data.get(key)}
    getlist = getattr(data, "getlist", None)
    raw = getlist(COLUMNS) if getlist else [data.get(COLUMNS) or ""]
    columns = ",".join(key.strip() for value in raw for key in str(value).split(",") if key.strip())
    return {**params, COLUMNS: columns} if columns else params


def added_filter_query(params: Mapping[str, Any]) -> str | None:
    """The query string with the "add filter" control's values turned into ``cf.<key>.<op>``;
    None when the control was not used."""
    if ADD_FIELD not in params:
        return None
    key, op, value = (str(params.get(name) or "").strip() for name in (ADD_FIELD, ADD_OP, ADD_VALUE))
    query = {
        name: str(params.get(name))
        for name in params
        if name not in (ADD_FIELD, ADD_OP, ADD_VALUE, "after", "cursor", "page")
    }
    if key:
        query[f"{PREFIX}{key}" if op in ("", "eq") else f"{PREFIX}{key}.{op}"] = value
    return urlencode(query)


# --- sorting with keyset pages -------------------------------------------------------------------


def encode_cursor(value: Any, pk: int) -> str:
    raw = json.dumps(position_of(value, pk), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, definition: CustomFieldDefinition) -> tuple[Any, int] | None:
    """(sort value, id) from a cursor; None when it is not one of ours."""
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error):
        return None
    return read_position(definition, position)


def sorted_page(
    queryset: QuerySet[Any], state: ListState, cursor: str | None, *, size: int
) -> tuple[list[Any], str | None]:
    """One page of ``queryset`` in the state's custom sort, after ``cursor``; the next cursor."""
    definition = state.sort
    assert definition is not None  # noqa: S101 - callers check state.sort
    descending = state.descending
    queryset = order_by_custom(
        queryset.annotate(**{SORT_ALIAS: sort_expression(definition)}), definition, descending=descending
    )
    position = decode_cursor(cursor, definition) if cursor else None
    if position is not None:
        value, pk = position
        queryset = queryset.filter(after_position(SORT_ALIAS, value, pk, descending=descending))
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor(getattr(rows[-1], SORT_ALIAS), rows[-1].pk)
    return rows, next_cursor


def list_context(state: ListState, params: Mapping[str, str], *, sort: str) -> dict[str, Any]:
    """What the list templates need: headers of the chosen columns, the active filters with a link
    that removes each, the parameters the custom controls carry along, the operators' labels."""
    carried = {key: value for key, value in params.items() if key not in ("after", "cursor", "page")}
    carried.update(state.query())
    chips = []
    for active in state.filters:
        rest = {key: value for key, value in carried.items() if key != active.param}
        chips.append({"label": active.label, "remove": urlencode(rest)})
    return {
        "custom_state": state,
        "custom_headers": state.column_headers(carried, sort),
        "custom_chips": chips,
        "custom_hidden": carried,
        "custom_query": state.query(),
        "custom_operators": list(OPERATOR_LABELS.items()),
    }
