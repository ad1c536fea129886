"""A run's result as pages, charts and the APIs show it: rows with their list links, the pivot of
two dimensions, and the chart's data (read by ``static/js/report-chart.js`` from ``json_script``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from modules.analytics.reports.cells import cell_token
from modules.analytics.reports.drilldown import DrillDown
from modules.analytics.reports.execution import ReportResult


@dataclass(frozen=True)
class ShownRow:
    labels: tuple[str, ...]
    values: tuple[Any, ...]
    url: str | None
    # The group as a signed token (``cells``): what starting a workflow on its records names.
    cell: str | None = None


@dataclass(frozen=True)
class Pivot:
    column_labels: list[str]
    # (row label, cells): each cell the (value, url) of the first measure, None where the pair has
    # no records.
    lines: list[tuple[str, list[tuple[Any, str | None] | None]]]


def shown_rows(result: ReportResult) -> list[ShownRow]:
    if result.spec.columns:
        return [ShownRow(labels=(), values=row.labels, url=None) for row in result.rows]
    drill = DrillDown(result.source, result.spec)
    shown = []
    for row in result.rows:
        label = " · ".join(row.labels)
        url = drill.url_for(row.keys, label) if row.keys else None
        cell = cell_token(result.source, result.spec, row.keys, label) if row.keys and result.source.entity else None
        shown.append(ShownRow(row.labels, row.values, url, cell))
    return shown


def _series(rows: list[ShownRow]) -> tuple[list[str], list[str], dict[tuple[str, str], ShownRow]]:
    firsts: list[str] = []
    seconds: list[str] = []
    by_pair: dict[tuple[str, str], ShownRow] = {}
    for row in rows:
        first, second = row.labels[0], row.labels[1]
        if first not in firsts:
            firsts.append(first)
        if second not in seconds:
            seconds.append(second)
        by_pair[(first, second)] = row
    return firsts, seconds, by_pair


def pivot(result: ReportResult, rows: list[ShownRow]) -> Pivot | None:
    """Dimension 1 down, dimension 2 across, the first measure in the cells."""
    if len(result.spec.dimensions) != 2:
        return None
    firsts, seconds, by_pair = _series(rows)
    lines: list[tuple[str, list[tuple[Any, str | None] | None]]] = []
    for first in firsts:
        line: list[tuple[Any, str | None] | None] = []
        for second in seconds:
            row = by_pair.get((first, second))
            line.append(None if row is None else (row.values[0], row.url))
        lines.append((first, line))
    return Pivot(seconds, lines)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def chart_data(result: ReportResult, rows: list[ShownRow], chart: str) -> dict[str, Any] | None:
    """Labels, one dataset per measure (one per value of dimension 2 when there are two) with the
    unit of its figures, and the list link of every point; None for a table or a result without
    groups."""
    spec = result.spec
    if chart == "table" or not spec.dimensions or spec.columns:
        return None
    if len(spec.dimensions) == 1:
        return {
            "type": chart,
            "labels": [row.labels[0] for row in rows],
            "datasets": [
                {"label": measure.label, "unit": measure.unit, "data": [_number(row.values[index]) for row in rows]}
                for index, measure in enumerate(spec.measures)
            ],
            "urls": [[row.url for row in rows] for _measure in spec.measures],
        }
    firsts, seconds, by_pair = _series(rows)
    datasets, urls = [], []
    for second in seconds:
        points = [by_pair.get((first, second)) for first in firsts]
        datasets.append({
            "label": second, "unit": spec.measures[0].unit,
            "data": [_number(point.values[0]) if point else None for point in points],
        })  # fmt: skip
        urls.append([point.url if point else None for point in points])
    return {"type": chart, "labels": firsts, "datasets": datasets, "urls": urls}


def as_json(result: ReportResult) -> dict[str, Any]:
    """The result for the APIs: headers, and per row its keys, labels, values and list link."""
    rows = shown_rows(result)
    spec = result.spec
    return {
        "source": result.source.key,
        "dimensions": [
            {"field": dimension.field.name, "label": dimension.label, "bucket": dimension.bucket}
            for dimension in spec.dimensions
        ],
        "measures": [
            {"fn": measure.fn, "field": measure.field.name if measure.field else None, "label": measure.label}
            for measure in spec.measures
        ],
        "columns": [{"field": column.name, "label": column.label} for column in spec.columns],
        "rows": [
            {
                "keys": list(raw.keys) if not spec.columns else [],
                "labels": list(row.labels),
                "values": [_plain(value) for value in row.values],
                "url": row.url,
                "cell": row.cell,
            }
            for raw, row in zip(result.rows, rows, strict=True)
        ],
        "truncated": result.truncated,
        "currency": result.context.base_currency,
        "time_zone": result.context.zone,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
