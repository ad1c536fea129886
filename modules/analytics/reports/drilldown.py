"""From a report's group to the record list it counts: the source's list page with the report's
filters and the group's values in the list's own query parameters.

A group's link says it in the list's own parameters when every filter and every value can be said
in them (``ListLink.params``: equality on a field; ``date_ranges``: an inclusive date range; custom
fields: the lists' ``cf.<key>[.<op>]`` filters), so the reader sees ordinary, editable filters.
Otherwise — an empty group, a date-time bucket in the tenant's zone, a field one link away, a filter
the list lacks — the link narrows the list to the group's records (``?cell=<signed token>``,
``cells.py``), worked out by the report's own expressions. Either way the list shows exactly the
records the group counted; lists apply the reader's visibility themselves, as the report did.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from modules.analytics.reports.buckets import bucket_end
from modules.analytics.reports.cells import CELL_PARAM, cell_token
from modules.analytics.reports.definition import Filter, Spec
from modules.analytics.reports.fields import CUSTOM, DATED, Kind, ReportField
from modules.analytics.reports.registry import ReportSource

Params = list[tuple[str, str]]
# The lists' custom-field filters take these operators (``customization.fields.queries``).
CUSTOM_OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "contains", "isnull")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _custom_param(report_field: ReportField, op: str) -> str:
    key = report_field.name.removeprefix(CUSTOM)
    return f"cf.{key}" if op == "eq" else f"cf.{key}.{op}"


def _filter_params(source: ReportSource, item: Filter) -> Params | None:
    report_field, op, value = item.field, item.op, item.value
    link = source.list_link
    assert link is not None  # noqa: S101 - callers check
    if report_field.definition is not None and op in CUSTOM_OPERATORS:
        if report_field.kind == Kind.DATETIME and op != "isnull":
            return None  # the list compares the stored UTC moment, the report the local day
        return [(_custom_param(report_field, op), _text(value))]
    if op == "eq" and report_field.name in link.params:
        return [(link.params[report_field.name], _text(value))]
    if report_field.name in link.date_ranges and op in ("gte", "lte", "eq"):
        start, end = link.date_ranges[report_field.name]
        return [(start, _text(value))] * (op != "lte") + [(end, _text(value))] * (op != "gte")
    return None


def _group_params(source: ReportSource, report_field: ReportField, bucket: str | None, key: Any) -> Params | None:
    link = source.list_link
    assert link is not None  # noqa: S101 - callers check
    if key is None or key == "":
        return None  # "empty" has no parameter on the lists
    if bucket is not None:
        start = date.fromisoformat(key) if isinstance(key, str) else key
        end = bucket_end(start, bucket)
        if report_field.definition is not None and report_field.kind == Kind.DATE:
            key_name = report_field.name.removeprefix(CUSTOM)
            return [(f"cf.{key_name}.gte", start.isoformat()), (f"cf.{key_name}.lte", end.isoformat())]
        if report_field.name in link.date_ranges and report_field.kind == Kind.DATE:
            first, last = link.date_ranges[report_field.name]
            return [(first, start.isoformat()), (last, end.isoformat())]
        return None
    if report_field.kind in DATED:
        return None
    if report_field.definition is not None:
        return [(_custom_param(report_field, "eq"), _text(key))]
    if report_field.name in link.params:
        return [(link.params[report_field.name], _text(key))]
    return None


class DrillDown:
    """The list links of one run: the filters' part is worked out once."""

    def __init__(self, source: ReportSource, spec: Spec) -> None:
        self.source = source
        self.spec = spec
        self.base: Params | None = None
        if source.list_link is None:
            return
        base: Params = list(source.list_link.base.items())
        for item in spec.filters:
            params = _filter_params(source, item)
            if params is None:
                return
            base += params
        self.base = base
        self.url = reverse(source.list_link.url_name)

    def url_for(self, keys: tuple[Any, ...], label: str = "") -> str | None:
        """The list link of the group ``keys``: in the list's own parameters when they can say it,
        else the list narrowed to the group's records (``cells``); None for a source without a list."""
        if self.source.list_link is None:
            return None
        if self.base is not None:
            params = list(self.base)
            for dimension, key in zip(self.spec.dimensions, keys, strict=True):
                group = _group_params(self.source, dimension.field, dimension.bucket, key)
                if group is None:
                    break
                params += group
            else:
                return f"{self.url}?{urlencode(params)}" if params else self.url
        params = [*self.source.list_link.base.items(), (CELL_PARAM, cell_token(self.source, self.spec, keys, label))]
        return f"{reverse(self.source.list_link.url_name)}?{urlencode(params)}"
