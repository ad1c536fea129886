"""A saved report as a dashboard widget: which shared filters it honours, how they narrow its run,
and its result as ``WidgetData`` (a KPI for a report without groups, its chart or a table).

The period narrows one date field of the report's source: the widget's ``options.date_field``
(``""``: none, the widget shows all time whatever the period), else the report's date grouping,
else a date the source's list can filter by (so a bar still opens the list of exactly its
records), else ``created_at``. The owner filter narrows the source's ``owner_field``. Both only
narrow the reader's own visible records, as a report run does."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from identity.models import User
from modules.analytics.dashboards.periods import previous_range
from modules.analytics.dashboards.widgets import DashboardFilters, Display, Point, Series, SharedFilter, WidgetData
from modules.analytics.reports.drilldown import DrillDown
from modules.analytics.reports.execution import ReportResult, run_report
from modules.analytics.reports.fields import Kind
from modules.analytics.reports.models import Report
from modules.analytics.reports.presentation import chart_data, shown_rows
from modules.analytics.reports.registry import ReportSource, source_named
from modules.analytics.reports.selectors import access_for, checked
from modules.record_access import RecordAccess


def _model_field(source: ReportSource, path: str) -> models.Field[Any, Any] | None:
    model: Any = source.model_class()
    found = None
    for part in path.split("."):
        if model is None:
            return None
        try:
            found = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = getattr(found, "related_model", None)
    return found


def standard_date_fields(source: ReportSource) -> list[str]:
    """The source's own date fields (not custom ones), in its order."""
    return [
        name
        for name in source.fields
        if isinstance(_model_field(source, name), models.DateField)  # DateTimeField is one too
    ]


def date_field_choices(report: Report) -> list[tuple[str, str]]:
    """The date fields a widget of ``report`` may narrow by the period, with their labels."""
    source = source_named(report.source)
    if source is None:
        return []
    choices = []
    for name in standard_date_fields(source):
        found = _model_field(source, name)
        label = str(getattr(found, "verbose_name", name))
        if "." in name:
            link = _model_field(source, name.split(".")[0])
            label = f"{getattr(link, 'verbose_name', name.split('.')[0])}: {label}"
        choices.append((name, label[:1].upper() + label[1:]))
    return choices


def date_field_of(report: Report, options: dict[str, Any] | None = None) -> str | None:
    """The field the period narrows for ``report`` (None: the widget ignores the period)."""
    options = options or {}
    if isinstance(options.get("date_field"), str):
        return options["date_field"] or None  # "": the widget keeps to all time
    source = source_named(report.source)
    if source is None:
        return None
    dated = standard_date_fields(source)
    groups = report.definition.get("group_by") if isinstance(report.definition, dict) else None
    for group in groups if isinstance(groups, list) else []:
        if isinstance(group, dict) and group.get("field") in dated:
            return str(group["field"])
    listed = [name for name in (source.list_link.date_ranges if source.list_link else {}) if name in dated]
    preferred = [*listed, "created_at", *dated]
    return next((name for name in preferred if name in dated), None)


def report_filters(report: Report, options: dict[str, Any] | None = None) -> frozenset[SharedFilter]:
    """The shared filters a widget of ``report`` honours."""
    source = source_named(report.source)
    if source is None:
        return frozenset()
    honoured = set()
    if date_field_of(report, options) is not None:
        honoured.add(SharedFilter.PERIOD)
    if source.owner_field in source.fields:
        honoured.add(SharedFilter.OWNER)
    return frozenset(honoured)


def date_field_problem(report: Report, name: Any, user: User) -> str | None:
    """Why ``name`` cannot be the date field of a widget of ``report`` for ``user``, or None."""
    source = source_named(report.source)
    if source is None or not isinstance(name, str):
        return _("Choose a date field of the report's records.")
    try:
        _source, fields, _spec = checked(report.source, report.definition, access_for(user))
    except ValidationError:
        return None  # the report itself cannot run: the widget says so when it loads
    found = fields.get(name)
    if found is None or found.kind not in (Kind.DATE, Kind.DATETIME):
        return _("Choose a date field of the report's records.")
    return None


def _narrowing(
    report: Report, options: dict[str, Any], filters: DashboardFilters
) -> tuple[list[dict[str, Any]], list[str]]:
    source = source_named(report.source)
    honoured = report_filters(report, options)
    extra: list[dict[str, Any]] = []
    names: list[str] = []
    date_field = date_field_of(report, options)
    if SharedFilter.PERIOD in honoured:
        for day, op in ((filters.start, "gte"), (filters.end, "lte")):
            if day is not None:
                extra.append({"field": date_field, "op": op, "value": day.isoformat()})
                names.append("options.date_field")
    if SharedFilter.OWNER in honoured and filters.owner_ids is not None and source is not None:
        ids = sorted(filters.owner_ids)
        # A team without members owns nothing: no user has id 0.
        value: Any = ids[0] if len(ids) == 1 else (ids or 0)
        extra.append({"field": source.owner_field, "op": "in" if len(ids) > 1 else "eq", "value": value})
        names.append("owner")
    return extra, names


def _run(
    report: Report, options: dict[str, Any], user: User, access: RecordAccess, filters: DashboardFilters
) -> ReportResult:
    extra, names = _narrowing(report, options, filters)
    try:
        source, _fields, spec = checked(report.source, report.definition, access, extra_filters=extra)
    except ValidationError as error:
        renamed: dict[str, list[str]] = {}
        for key, messages in error.message_dict.items():
            if key.startswith("extra_filters."):
                key = names[int(key.split(".")[1])]
            renamed.setdefault(key, []).extend(messages)
        raise ValidationError(renamed) from None
    return run_report(source, spec, user)


def _unit(result: ReportResult, index: int) -> str:
    measure = result.spec.measures[index] if index < len(result.spec.measures) else None
    money = measure is not None and measure.field is not None and measure.field.kind == Kind.MONEY
    return result.context.base_currency if money and measure and measure.fn != "count_distinct" else ""


def report_widget_data(
    report: Report, options: dict[str, Any], user: User, access: RecordAccess, filters: DashboardFilters
) -> tuple[Display, WidgetData]:
    """How the widget of ``report`` is drawn and its figures for ``user`` under ``filters``."""
    result = _run(report, options, user, access, filters)
    spec = result.spec
    if spec.columns:
        return Display.TABLE, WidgetData(columns=tuple(result.headers), rows=tuple(r.labels for r in result.rows))
    rows = shown_rows(result)
    if not spec.dimensions:
        value = result.rows[0].values[0] if result.rows else None
        previous = None
        if SharedFilter.PERIOD in report_filters(report, options) and filters.start and filters.end:
            start, end = previous_range(filters.start, filters.end)
            before = _run(report, options, user, access, replace(filters, start=start, end=end))
            previous = before.rows[0].values[0] if before.rows else None
        # A total links only when the list's own parameters can say its filters (a narrowed
        # list, ``?cell=``, is made for a group's keys).
        drill = DrillDown(result.source, spec)
        url = drill.url_for(()) if drill.base is not None else None
        return Display.KPI, WidgetData(value=value, previous=previous, unit=_unit(result, 0), url=url)
    chart = chart_data(result, rows, report.chart)
    if chart is None:
        return Display.TABLE, WidgetData(
            columns=tuple(result.headers),
            rows=tuple((*row.labels, *row.values, row.url) for row in rows),
            row_urls=True,
        )
    two = len(spec.dimensions) == 2
    series = tuple(
        Series(
            name=str(dataset["label"]),
            unit=_unit(result, 0 if two else index),
            points=tuple(
                Point(label=str(label), value=value, url=url)
                for label, value, url in zip(chart["labels"], dataset["data"], chart["urls"][index], strict=True)
            ),
        )
        for index, dataset in enumerate(chart["datasets"])
    )
    return Display(report.chart), WidgetData(series=series)
