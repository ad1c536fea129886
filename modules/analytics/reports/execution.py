"""Running a checked report: one GROUP BY query built with the ORM over the records the user may
see, never the rows themselves in Python (a list of records, which has no groups, is read in
batches by the export). Amounts in several currencies are converted to the base currency in SQL at
the latest rate on or before today; an amount without a rate counts as empty.

Dates are bucketed and compared in the tenant's time zone, so a report gives every reader the same
figures. Amounts are converted with each currency's rate read once per run (one query, not a
lookup per row). Web requests run under the statement timeout (``crm_platform.statement_timeout``): a
report the database gives up on is a 503 saying so, never a half answer.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Avg, Case, Count, F, Max, Min, Q, QuerySet, Sum, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import Cast, Round
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.models import User
from modules.analytics.reports.buckets import DateBucket, bucket_label
from modules.analytics.reports.definition import Dimension, Filter, Measure, Spec
from modules.analytics.reports.fields import DATED, Kind, ReportField
from modules.analytics.reports.registry import ReportSource
from modules.contacts.models import ExchangeRate
from modules.contacts.services.money import base_currency
from modules.workspace.services import workspace_profile

MAX_GROUPS = 1000
LIST_PREVIEW = 100
MAX_LIST_ROWS = 1_048_576  # a spreadsheet's rows, the header included
AMOUNT = models.DecimalField(max_digits=30, decimal_places=2)
RATE = models.DecimalField(max_digits=18, decimal_places=8)


@dataclass(frozen=True)
class Context:
    """What a run depends on besides the definition: the zone and fiscal year it buckets by."""

    zone: str
    fiscal_start_month: int
    base_currency: str
    today: date


def current_context() -> Context:
    zone = getattr(getattr(connection, "tenant", None), "time_zone", "") or settings.TIME_ZONE
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = settings.TIME_ZONE
    return Context(
        zone=zone,
        fiscal_start_month=int(workspace_profile().fiscal_year_start_month),
        base_currency=base_currency(),
        today=timezone.now().astimezone(zoneinfo.ZoneInfo(zone)).date(),
    )


@dataclass(frozen=True)
class ResultRow:
    keys: tuple[Any, ...]
    labels: tuple[str, ...]
    values: tuple[Any, ...]


@dataclass
class ReportResult:
    source: ReportSource
    spec: Spec
    context: Context
    rows: list[ResultRow] = field(default_factory=list)
    truncated: bool = False

    @property
    def headers(self) -> list[str]:
        if self.spec.columns:
            return [column.label for column in self.spec.columns]
        return [dimension.label for dimension in self.spec.dimensions] + [m.label for m in self.spec.measures]


def _condition(name: str, item: Filter) -> Q:
    kind, op, value = item.field.kind, item.op, item.value
    empty = Q(**{f"{name}__isnull": True})
    if kind in (Kind.TEXT, Kind.CHOICE):
        empty |= Q(**{name: ""})
    if op == "isnull":
        return empty if value else ~empty
    lookup = f"{name}__date" if kind == Kind.DATETIME else name
    if op == "eq":
        return Q(**{lookup: value})
    if op == "ne":
        return ~Q(**{lookup: value}) | empty
    if op == "in":
        return Q(**{f"{lookup}__in": value})
    if op == "contains":
        return Q(**{f"{lookup}__icontains": value})
    return Q(**{f"{lookup}__{op}": value})


def filtered(source: ReportSource, spec: Spec, user: User) -> QuerySet[Any]:
    """The records of ``source`` that ``user`` may see, narrowed by the report's filters."""
    queryset: QuerySet[Any] = source.visible(user).select_related(None).prefetch_related(None).order_by()
    for index, item in enumerate(spec.filters):
        name = f"_f{index}"
        queryset = queryset.alias(**{name: item.field.expression}).filter(_condition(name, item))
    return queryset


def latest_rates(on: date) -> dict[str, Decimal]:
    """Each currency's latest rate dated on or before ``on``: one query, whatever the rows."""
    rates = (
        ExchangeRate.objects.filter(valid_from__lte=on)
        .order_by("currency", "-valid_from")
        .distinct("currency")
        .values_list("currency", "rate")
    )
    return dict(rates)


def _in_base(report_field: ReportField, context: Context, rates: dict[str, Decimal]) -> Expression:
    """The amount of ``report_field`` in the base currency at ``rates`` (``latest_rates``): a CASE
    over the currencies that have one, so the database multiplies by a constant instead of looking
    a rate up for every row; an amount in a currency without a rate is empty."""
    currency, amount = report_field.currency, report_field.expression
    whens = [When(Exact(currency, Value(context.base_currency)), then=amount)]
    whens += [
        When(Exact(currency, Value(code)), then=Round(amount * Value(rate, output_field=RATE), 2))
        for code, rate in sorted(rates.items())
        if code != context.base_currency
    ]
    return Case(*whens, default=Value(None), output_field=AMOUNT)


def _aggregate(measure: Measure, context: Context, rates: dict[str, Decimal]) -> Expression:
    report_field = measure.field
    if measure.fn == "count" or report_field is None:
        return Count("pk")
    value = report_field.expression
    if measure.fn == "count_distinct":
        return Count(value, distinct=True)
    if report_field.kind == Kind.MONEY and report_field.currency is not None:
        value = _in_base(report_field, context, rates)
    if measure.fn == "avg":
        return Cast(Avg(value), AMOUNT)
    return {"sum": Sum, "min": Min, "max": Max}[measure.fn](value)


def dimension_expression(dimension: Dimension, context: Context) -> Expression:
    if dimension.bucket is None:
        return dimension.field.expression
    return DateBucket(
        dimension.field.expression,
        unit=dimension.bucket,
        zone=context.zone,
        shift_months=(context.fiscal_start_month - 1) % 12,
        moment=dimension.field.kind == Kind.DATETIME,
    )


def _ordering(spec: Spec) -> list[Any]:
    """The groups in the chosen order, then by each dimension (records by their name)."""
    names = [
        f"_d{index}l" if dimension.field.label_expression is not None else f"_d{index}"
        for index, dimension in enumerate(spec.dimensions)
    ]
    tail = [*(F(name).asc(nulls_last=True) for name in names), *(F(f"_d{i}").asc() for i in range(len(names)))]
    if spec.sort_by is None:
        return tail
    part, index = spec.sort_by.split(".")
    first = names[int(index)] if part == "group_by" else f"_m{index}"
    return [F(first).desc(nulls_last=True) if spec.descending else F(first).asc(nulls_last=True), *tail]


def _aggregates(spec: Spec, context: Context) -> dict[str, Expression]:
    aggregates: dict[str, Expression] = {}
    converts = any(m.field is not None and m.field.kind == Kind.MONEY and m.field.currency is not None
                   for m in spec.measures if m.fn not in ("count", "count_distinct"))  # fmt: skip
    rates = latest_rates(context.today) if converts else {}
    for index, measure in enumerate(spec.measures):
        aggregates[f"_m{index}"] = _aggregate(measure, context, rates)
    return aggregates


@contextmanager
def report_memory() -> Iterator[None]:
    """A transaction whose sorts and hash tables may use ``REPORT_WORK_MEM``: PostgreSQL cannot
    estimate how many buckets a date truncation makes of a near-unique column, assumes a group per
    row, and with the default ``work_mem`` sorts every row on disk to group them instead of hashing
    them in memory (three times slower over a million activities). Inside a transaction already
    (a test, a task) no savepoint is made: the setting then lasts until that transaction ends."""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.REPORT_WORK_MEM])
        yield


def run_report(source: ReportSource, spec: Spec, user: User, context: Context | None = None) -> ReportResult:
    """The report's groups (or its one total row), in a fixed number of queries."""
    context = context or current_context()
    result = ReportResult(source=source, spec=spec, context=context)
    if spec.columns:
        result.rows = list(list_rows(source, spec, user, context, limit=LIST_PREVIEW + 1))
        result.truncated = len(result.rows) > LIST_PREVIEW
        result.rows = result.rows[:LIST_PREVIEW]
        return result
    with timezone.override(zoneinfo.ZoneInfo(context.zone)):
        queryset, aggregates = filtered(source, spec, user), _aggregates(spec, context)
        if not spec.dimensions:
            with report_memory():
                totals = queryset.aggregate(**aggregates)
            result.rows = [ResultRow((), (), tuple(_value(totals[name]) for name in aggregates))]
            return result
        names: list[str] = []
        labels: dict[str, Expression] = {}
        for index, dimension in enumerate(spec.dimensions):
            queryset = queryset.annotate(**{f"_d{index}": dimension_expression(dimension, context)})
            names.append(f"_d{index}")
            if dimension.field.label_expression is not None:
                # A linked record's name depends on its id alone: taken per group (MIN of one value)
                # rather than grouped by, so the database groups by the keys only and can hash them
                # instead of sorting every row by name.
                labels[f"_d{index}l"] = Min(dimension.field.label_expression)
        grouped = queryset.values(*names).annotate(**labels, **aggregates)
        with report_memory():
            groups = list(grouped.order_by(*_ordering(spec))[: MAX_GROUPS + 1])
    result.truncated = len(groups) > MAX_GROUPS
    labeller = _Labeller(spec, context, groups[:MAX_GROUPS])
    result.rows = [
        ResultRow(
            keys=tuple(_key(group[f"_d{index}"]) for index in range(len(spec.dimensions))),
            labels=tuple(labeller.label(index, group) for index in range(len(spec.dimensions))),
            values=tuple(_value(group[name]) for name in aggregates),
        )
        for group in groups[:MAX_GROUPS]
    ]
    return result


def _key(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _value(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(round(value, 2)))
    return value


class _Labeller:
    """Names of group keys: choices and buckets in words, records by their name, users of custom
    user fields looked up in one query for the whole result."""

    def __init__(self, spec: Spec, context: Context, groups: list[dict[str, Any]]) -> None:
        self.spec = spec
        self.context = context
        wanted: set[int] = set()
        for index, dimension in enumerate(spec.dimensions):
            if dimension.field.kind == Kind.USER and dimension.field.label_expression is None:
                wanted |= {group[f"_d{index}"] for group in groups if group[f"_d{index}"] is not None}
        self.users = {user.pk: str(user) for user in User.objects.filter(pk__in=wanted)} if wanted else {}

    def label(self, index: int, group: dict[str, Any]) -> str:
        dimension = self.spec.dimensions[index]
        value = group[f"_d{index}"]
        if value is None or value == "":
            return _("(empty)")
        report_field = dimension.field
        if dimension.bucket is not None:
            return bucket_label(value, dimension.bucket, self.context.fiscal_start_month)
        if report_field.label_expression is not None:
            return str(group[f"_d{index}l"] or f"#{value}")
        if report_field.kind == Kind.USER:
            return self.users.get(value, f"#{value}")
        if report_field.kind == Kind.BOOLEAN:
            return _("Yes") if value else _("No")
        if report_field.choices is not None:
            return report_field.choices.get(str(value), str(value))
        return str(value)


def _column_value(report_field: ReportField) -> Expression:
    return report_field.label_expression if report_field.label_expression is not None else report_field.expression


def list_rows(
    source: ReportSource, spec: Spec, user: User, context: Context, *, limit: int = MAX_LIST_ROWS
) -> Iterator[ResultRow]:
    """A list of records (a report with columns and no groups), read in batches of 2,000 through a
    server-side cursor, at most ``limit`` rows."""
    with timezone.override(zoneinfo.ZoneInfo(context.zone)):
        queryset = filtered(source, spec, user)
        names = [f"_c{index}" for index in range(len(spec.columns))]
        queryset = queryset.annotate(
            **{name: _column_value(column) for name, column in zip(names, spec.columns, strict=True)}
        )
        rows = queryset.order_by("pk").values_list(*names)[:limit]
        for row in rows.iterator(chunk_size=2000):
            labels = tuple(_column_label(column, value) for column, value in zip(spec.columns, row, strict=True))
            yield ResultRow(keys=row, labels=labels, values=row)


def _column_label(column: ReportField, value: Any) -> Any:
    if value is None:
        return None
    if column.choices is not None and column.kind == Kind.CHOICE:
        return column.choices.get(str(value), value)
    if column.kind in DATED and isinstance(value, date):
        return value
    return value
