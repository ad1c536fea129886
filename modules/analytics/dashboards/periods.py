"""A dashboard's period: presets relative to today (in the tenant's zone, quarters and years from
the workspace's fiscal year start) or a custom range, and the period before it, which a KPI
compares with."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.analytics.reports.buckets import bucket_end


class Period(models.TextChoices):
    LAST_7_DAYS = "last_7_days", _("Last 7 days")
    LAST_30_DAYS = "last_30_days", _("Last 30 days")
    LAST_90_DAYS = "last_90_days", _("Last 90 days")
    THIS_MONTH = "this_month", _("This month")
    LAST_MONTH = "last_month", _("Last month")
    THIS_QUARTER = "this_quarter", _("This quarter")
    LAST_QUARTER = "last_quarter", _("Last quarter")
    THIS_YEAR = "this_year", _("This fiscal year")
    LAST_YEAR = "last_year", _("Last fiscal year")
    ALL = "all", _("All time")


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _quarter_start(day: date, fiscal_start_month: int) -> date:
    """The first day of the fiscal quarter holding ``day``."""
    shift = (day.month - fiscal_start_month) % 3
    return _month_start(day, shift)


def _year_start(day: date, fiscal_start_month: int) -> date:
    shift = (day.month - fiscal_start_month) % 12
    return _month_start(day, shift)


def period_range(period: str, today: date, fiscal_start_month: int = 1) -> tuple[date | None, date | None]:
    """The inclusive range of ``period`` as of ``today`` ((None, None): no narrowing)."""
    if period in ("last_7_days", "last_30_days", "last_90_days"):
        days = int(period.split("_")[1])
        return today - timedelta(days=days - 1), today
    if period in ("this_month", "last_month"):
        start = _month_start(today, 0 if period == "this_month" else 1)
        return start, bucket_end(start, "month")
    if period in ("this_quarter", "last_quarter"):
        start = _quarter_start(today, fiscal_start_month)
        if period == "last_quarter":
            start = _month_start(start, 3)
        return start, _month_start(start, -3) - timedelta(days=1)
    if period in ("this_year", "last_year"):
        start = _year_start(today, fiscal_start_month)
        if period == "last_year":
            start = _month_start(start, 12)
        return start, _month_start(start, -12) - timedelta(days=1)
    return None, None


def previous_range(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    """The range of the same length just before ``start``–``end`` (whole months and quarters stay
    whole: a range from a month's first day to a month's last day steps back by its months)."""
    if start is None or end is None:
        return None, None
    after = end + timedelta(days=1)
    if start.day == 1 and after.day == 1:
        months = (after.year * 12 + after.month) - (start.year * 12 + start.month)
        return _month_start(start, months), start - timedelta(days=1)
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)
