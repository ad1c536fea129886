"""Date buckets in SQL: a date or moment truncated to its day, week (ISO, from Monday), month,
quarter or year in the tenant's time zone, quarters and years counted from the workspace's fiscal
year start. A bucket is named by its first day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import models
from django.db.models import Func
from django.db.models.expressions import Expression
from django.utils.translation import gettext as _

UNITS = ("day", "week", "month", "quarter", "year")
FISCAL_UNITS = ("quarter", "year")


class DateBucket(Func):
    """``date_trunc(unit, local value − shift) + shift`` as a date. ``shift`` is the months between
    January and the fiscal year's first month (quarters and years only); ``zone`` is the tenant's
    time zone for moments (dates have none)."""

    output_field = models.DateField()

    def __init__(self, expression: Expression, *, unit: str, zone: str, shift_months: int, moment: bool) -> None:
        if unit not in UNITS or not 0 <= shift_months < 12:
            raise ValueError(f"bad bucket {unit!r} / {shift_months!r}")
        super().__init__(expression)
        self.unit = unit
        self.zone = zone
        self.shift = shift_months if unit in FISCAL_UNITS else 0
        self.moment = moment

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        params = list(params)
        if self.moment:
            local = f"(({sql}) AT TIME ZONE %s)"
            params.append(self.zone)
        else:
            local = f"(({sql})::timestamp)"
        if self.shift:
            local = f"({local} - interval '{self.shift} months')"
        truncated = f"date_trunc('{self.unit}', {local})"
        if self.shift:
            truncated = f"({truncated} + interval '{self.shift} months')"
        return f"({truncated})::date", params


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def bucket_end(start: date, unit: str) -> date:
    """The last day of the bucket that starts on ``start``."""
    if unit == "day":
        return start
    if unit == "week":
        return start + timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    return _add_months(start, months) - timedelta(days=1)


def bucket_label(start: date, unit: str, fiscal_start_month: int) -> str:
    """How a bucket is named on pages and in exports."""
    if unit == "day":
        return start.isoformat()
    if unit == "week":
        year, week, _weekday = start.isocalendar()
        return _("%(year)d week %(week)02d") % {"year": year, "week": week}
    if unit == "month":
        return f"{start.year}-{start.month:02d}"
    fiscal = fiscal_start_month != 1
    if unit == "year":
        return _fiscal_year(start.year, fiscal=fiscal)
    first = _add_months(start, -((start.month - fiscal_start_month) % 12))
    quarter = (start.month - fiscal_start_month) % 12 // 3 + 1
    return _("Q%(quarter)d %(year)s") % {"quarter": quarter, "year": _fiscal_year(first.year, fiscal=fiscal)}


def _fiscal_year(first_year: int, *, fiscal: bool) -> str:
    """A calendar year as its number; a fiscal year across two as 2025/26."""
    return f"{first_year}/{(first_year + 1) % 100:02d}" if fiscal else str(first_year)
