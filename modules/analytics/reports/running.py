"""Running a report for a reader, with the narrowing a dashboard widget adds: a date range on one
of the source's date fields and an owner (``?date_field=closed_at&from=…&to=…&owner=<id>``). The
reader's own visibility always applies; the extra filters only narrow further."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from identity.models import User
from modules.analytics.reports.definition import Spec
from modules.analytics.reports.execution import ReportResult, run_report
from modules.analytics.reports.models import Report
from modules.analytics.reports.registry import ReportSource, source_named
from modules.analytics.reports.selectors import checked
from modules.record_access import RecordAccess

RUN_PARAMETERS = ("date_field", "from", "to", "owner")


def extra_filters(source_key: str, params: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """The run's extra filters and, for each, the parameter that asked for it."""
    source = source_named(source_key)
    filters: list[dict[str, Any]] = []
    names: list[str] = []
    date_field = params.get("date_field")
    if (params.get("from") or params.get("to")) and not date_field:
        raise ValidationError({"date_field": [_("Name the date field the range applies to.")]})
    for name, op in (("from", "gte"), ("to", "lte")):
        if params.get(name):
            filters.append({"field": date_field, "op": op, "value": params[name]})
            names.append(name)
    if params.get("owner") and source is not None:
        filters.append({"field": source.owner_field, "op": "eq", "value": params["owner"]})
        names.append("owner")
    return filters, names


def prepared(
    report: Report, access: RecordAccess, params: Mapping[str, Any] | None = None
) -> tuple[ReportSource, Spec]:
    """``report``'s source and checked definition with the run's extra filters; a
    ``ValidationError`` naming the part (or run parameter) that is wrong — a saved report can go
    stale when a custom field it names is archived."""
    filters, names = extra_filters(report.source, params or {})
    try:
        source, _fields, spec = checked(report.source, report.definition, access, extra_filters=filters)
    except ValidationError as error:
        renamed: dict[str, list[str]] = {}
        for key, messages in error.message_dict.items():
            if key.startswith("extra_filters."):
                index = int(key.split(".")[1])
                key = "date_field" if key.endswith(".field") and names[index] in ("from", "to") else names[index]
            renamed.setdefault(key, []).extend(messages)
        raise ValidationError(renamed) from None
    return source, spec


def run_saved(
    report: Report, user: User, access: RecordAccess, params: Mapping[str, Any] | None = None
) -> ReportResult:
    """``report`` run for ``user`` (see ``prepared``)."""
    source, spec = prepared(report, access, params)
    return run_report(source, spec, user)
