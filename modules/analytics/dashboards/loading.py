"""One widget's figures for one reader, as the page's widget endpoint and the APIs give them.

Each widget runs on its own, inside a savepoint: a widget whose query the database cancels for
taking too long (the web processes' statement timeout) or whose report cannot run any more (a
custom field it names was archived) says so, and the dashboard's other widgets still load. A
widget the reader may not see — a kind their role or the plan does not offer, a report not shared
with them — shows nothing of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _
from psycopg.errors import QueryCanceled

from identity.models import User
from modules.analytics.dashboards.freshness import Freshness, freshness_of, watching
from modules.analytics.dashboards.models import Widget
from modules.analytics.dashboards.report_widgets import report_filters, report_widget_data
from modules.analytics.dashboards.widgets import (
    DashboardFilters,
    Display,
    SharedFilter,
    WidgetData,
    available_widgets,
    widget_named,
)
from modules.analytics.reports.registry import source_named
from modules.record_access import RecordAccess


@dataclass(frozen=True)
class Loaded:
    """A widget's answer: ``status`` is 200 with ``payload`` the figures, or the error's status
    (403 not the reader's to see, 422 cannot run, 503 timed out) with ``payload`` saying why."""

    status: int
    payload: dict[str, Any]


def _timed_out(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, QueryCanceled):
            return True
        error = error.__cause__ if isinstance(error, DatabaseError) else None
    return False


def widget_title(widget: Widget) -> str:
    if widget.title:
        return widget.title
    if widget.report_id is not None:
        return widget.report.name if widget.report is not None else ""
    kind = widget_named(widget.kind)
    return str(kind.title) if kind is not None else widget.kind


def honoured(widget: Widget) -> frozenset[SharedFilter]:
    """The shared filters the widget honours: a change of any other leaves it as it is."""
    if widget.report is not None:
        return report_filters(widget.report, widget.options)
    kind = widget_named(widget.kind)
    return kind.filters if kind is not None else frozenset()


class Visibility:
    """Which widgets a reader may see, worked out once per request: the kinds their role, the plan
    and the credential's scopes (``access``) offer, and the reports they may open (one query)
    whose records the credential may read."""

    def __init__(self, user: User, report_ids: set[int], access: RecordAccess | None = None) -> None:
        from modules.analytics.reports.selectors import reports_for

        self.access = access
        self.kinds = {
            kind.key
            for kind in available_widgets(getattr(connection, "tenant", None), user)
            if access is None or all(access.module_allowed(module) for module in kind.needs)
        }
        self.reports: set[int] = set()
        if report_ids:
            self.reports = set(reports_for(user).filter(pk__in=report_ids).values_list("pk", flat=True))

    def allows(self, widget: Widget) -> bool:
        if widget.report_id is not None:
            source = source_named(widget.report.source) if widget.report is not None else None
            readable = source is not None and (self.access is None or self.access.module_allowed(source.module))
            return widget.report_id in self.reports and readable
        return widget.kind in self.kinds


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _change(value: Any, previous: Any) -> float | None:
    if value is None or previous in (None, 0):
        return None
    return round((float(value) - float(previous)) / abs(float(previous)) * 100, 1)


def payload(display: Display, data: WidgetData, fresh: Freshness | None = None) -> dict[str, Any]:
    """``data`` as JSON: numbers as numbers, dates in ISO 8601, every point with its list URL, and
    how fresh the figures are (``freshness``; live when not given)."""
    fresh = fresh or Freshness("live", None, "")
    series: list[dict[str, Any]] = [
        {
            "name": item.name,
            "unit": item.unit,
            "points": [{"label": p.label, "value": _number(p.value), "url": p.url} for p in item.points],
        }
        for item in data.series
    ]
    rows = [[_number(cell) for cell in row] for row in data.rows]
    empty = (
        data.value is None
        if display == Display.KPI
        else not rows and not any(p["value"] not in (None, 0) for item in series for p in item["points"])
    )
    return {
        "display": str(display),
        "value": _number(data.value),
        "previous": _number(data.previous),
        "change": _change(data.value, data.previous),
        "unit": data.unit,
        "url": data.url,
        "series": series,
        "columns": [str(column) for column in data.columns],
        "rows": rows,
        "row_urls": data.row_urls,
        "column_units": [data.column_units[i] if i < len(data.column_units) else "" for i in range(len(data.columns))],
        "as_of": fresh.as_of.isoformat() if fresh.as_of else None,
        "freshness": fresh.state,
        "freshness_text": fresh.text,
        "empty": empty,
    }


def display_of(widget: Widget) -> str:
    if widget.report is not None:
        return "table" if widget.report.chart == "table" else widget.report.chart
    kind = widget_named(widget.kind)
    return str(kind.display) if kind is not None else ""


def load_widget(
    widget: Widget, user: User, access: RecordAccess, filters: DashboardFilters, visibility: Visibility
) -> Loaded:
    """The figures of ``widget`` for ``user`` under ``filters``, or why there are none."""
    base = {"id": widget.pk, "title": widget_title(widget)}
    if not visibility.allows(widget):
        return Loaded(403, {**base, "error": "unavailable", "message": _("This widget is not available to you.")})
    try:
        with transaction.atomic(), watching() as reads:
            if widget.report is not None:
                display, data = report_widget_data(widget.report, widget.options, user, access, filters)
            else:
                kind = widget_named(widget.kind)
                assert kind is not None  # noqa: S101 - Visibility.allows checked it is registered
                display, data = kind.display, kind.compute(user, filters)
            fresh = freshness_of(reads, data.as_of)
    except ValidationError as error:
        messages = "; ".join(f"{key}: {' '.join(found)}" for key, found in error.message_dict.items())
        message = _("This widget cannot run: %(why)s") % {"why": messages}
        return Loaded(422, {**base, "error": "invalid", "message": message})
    except DatabaseError as error:
        if not _timed_out(error):
            raise
        message = _("This widget took too long and was stopped; try a shorter period.")
        return Loaded(503, {**base, "error": "timeout", "message": message})
    return Loaded(200, {**base, **payload(display, data, fresh)})
