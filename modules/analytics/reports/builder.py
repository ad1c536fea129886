"""The builder page's form: a fixed number of filter, grouping and measure rows read into a
definition (``definition.read_definition`` checks it), and a definition spread back into rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from modules.analytics.reports.definition import BUCKETS, MEASURES, OPERATORS

FILTER_ROWS = 4
GROUP_ROWS = 2
MEASURE_ROWS = 3
META_FIELDS = ("name", "description", "chart", "sharing", "shared_role", "shared_team")


@dataclass(frozen=True)
class Posted:
    source: str
    definition: dict[str, Any]
    meta: dict[str, str]


def _clean(data: QueryDict, name: str) -> str:
    return (data.get(name) or "").strip()


def read_form(data: QueryDict) -> Posted:
    filters = []
    for index in range(FILTER_ROWS):
        field = _clean(data, f"filter-{index}-field")
        if field:
            filters.append(
                {
                    "field": field,
                    "op": _clean(data, f"filter-{index}-op") or "eq",
                    "value": _clean(data, f"filter-{index}-value"),
                }
            )
    group_by = []
    for index in range(GROUP_ROWS):
        field = _clean(data, f"group-{index}-field")
        if field:
            group = {"field": field}
            bucket = _clean(data, f"group-{index}-bucket")
            if bucket:
                group["bucket"] = bucket
            group_by.append(group)
    measures = []
    for index in range(MEASURE_ROWS):
        fn = _clean(data, f"measure-{index}-fn")
        if fn:
            measure = {"fn": fn}
            if fn != "count":
                measure["field"] = _clean(data, f"measure-{index}-field")
            measures.append(measure)
    definition: dict[str, Any] = {"filters": filters, "group_by": group_by, "measures": measures}
    columns = [name for name in data.getlist("columns") if name]
    if columns:
        definition["columns"] = columns
    sort = _clean(data, "sort-by")
    if sort:
        definition["sort"] = {"by": sort, "descending": data.get("sort-descending") == "on"}
    return Posted(
        source=_clean(data, "source"),
        definition=definition,
        meta={name: _clean(data, name) for name in META_FIELDS},
    )


def form_rows(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition spread over the form's rows (blank rows to fill)."""

    def padded(items: Any, size: int) -> list[dict[str, Any]]:
        items = [item for item in (items if isinstance(items, list) else []) if isinstance(item, dict)]
        return [*items[:size], *({} for _ in range(size - len(items[:size])))]

    sort = definition.get("sort") if isinstance(definition.get("sort"), dict) else {}
    return {
        "filters": padded(definition.get("filters"), FILTER_ROWS),
        "groups": padded(definition.get("group_by"), GROUP_ROWS),
        "measures": padded(definition.get("measures"), MEASURE_ROWS),
        "columns": [name for name in definition.get("columns") or [] if isinstance(name, str)],
        "sort": sort or {},
    }


def choices() -> dict[str, Any]:
    return {
        "operators": list(OPERATORS.items()),
        "buckets": list(BUCKETS.items()),
        "measures": list(MEASURES.items()),
    }


def error_label(key: str) -> str:
    """``filters.0.value`` in words: "Filter 1, value"."""
    parts = key.split(".")
    names = {
        "filters": _("Filter"), "extra_filters": _("Filter"), "group_by": _("Grouping"), "measures": _("Measure"),
        "columns": _("Columns"), "sort": _("Sort"), "source": _("Records"), "name": _("Name"),
        "description": _("Description"), "chart": _("Chart"), "sharing": _("Shared with"),
        "shared_role": _("Role"), "shared_team": _("Team"), "definition": _("Definition"),
    }  # fmt: skip
    label = str(names.get(parts[0], parts[0]))
    if len(parts) > 1 and parts[1].isdigit():
        label = f"{label} {int(parts[1]) + 1}"
        parts = parts[1:]
    if len(parts) > 1:
        label = f"{label}, {parts[1]}"
    return label
