"""The workspace's fiscal calendar: years start in ``WorkspaceProfile.fiscal_year_start_month``,
quarters are counted from there. A fiscal year is named by the calendar year it starts in, written
"2025/26" when it runs across two (and "2026" when it starts in January), as reports name them."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from modules.workspace.services import workspace_profile


def fiscal_start_month() -> int:
    """The month (1–12) the current schema's fiscal year starts in."""
    return int(workspace_profile().fiscal_year_start_month)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) ``day``'s."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def fiscal_year_start(day: date, start_month: int) -> date:
    """The first day of the fiscal year holding ``day``."""
    return add_months(day, -((day.month - start_month) % 12))


def fiscal_quarter_start(day: date, start_month: int) -> date:
    """The first day of the fiscal quarter holding ``day``."""
    return add_months(day, -((day.month - start_month) % 3))


def fiscal_quarter(day: date, start_month: int) -> int:
    """1–4: the fiscal quarter holding ``day``."""
    return (day.month - start_month) % 12 // 3 + 1


def fiscal_year_name(first_year: int, start_month: int) -> str:
    """ "2026" for a year starting in January 2026, "2025/26" for one starting later in 2025."""
    return str(first_year) if start_month == 1 else f"{first_year}/{(first_year + 1) % 100:02d}"


def fiscal_quarter_label(day: date, start_month: int) -> str:
    """ "Q1 2025/26": the fiscal quarter holding ``day`` and its year."""
    year = fiscal_year_name(fiscal_year_start(day, start_month).year, start_month)
    return _("Q%(quarter)d %(year)s") % {"quarter": fiscal_quarter(day, start_month), "year": year}
