"""Reading a dashboard's shared filters from a request: ``period`` (a preset) or ``start``/``end``
(a custom inclusive range: ISO dates, or dates in the reader's
own format as the page's inputs show them), and ``owner`` (a user id) or ``team`` (a team id, meaning
its members). The same parameters serve the page, its widgets' endpoints and the APIs; a wrong one
is a ``ValidationError`` naming it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.input_bounds import moment_problem, text_problem
from core.localized_dates import format_hint, input_formats
from identity.models import Team, User
from modules.analytics.dashboards.periods import Period, period_range
from modules.analytics.dashboards.widgets import DashboardFilters
from modules.analytics.reports.execution import current_context

PARAMETERS = ("period", "start", "end", "owner", "team")


@dataclass(frozen=True)
class Chosen:
    """The filters as chosen (for the page's controls) and as applied."""

    period: str  # a preset, or "custom"
    start: date | None
    end: date | None
    owner: int | None
    team: int | None
    applied: DashboardFilters


def _parsed(text: str) -> date | None:
    """ISO 8601, or the reader's own format (the page's date inputs, ``core.localized_dates``)."""
    for pattern in input_formats():
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a day, no moment)
        except ValueError:
            continue
    return None


def _date(params: Mapping[str, Any], name: str) -> date | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        value = raw
    else:
        text = str(raw).strip()
        found = None if text_problem(text) or len(text) > 10 else _parsed(text)
        if found is None:
            message = _("Enter a date as %(format)s or YYYY-MM-DD.") % {"format": format_hint()}
            raise ValidationError({name: [message]})
        value = found
    problem = moment_problem(value)
    if problem:
        raise ValidationError({name: [problem]})
    return value


def _id(params: Mapping[str, Any], name: str) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    text = str(raw)
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise ValidationError({name: [_("Give the numeric id.")]})
    return int(text)


def read_filters(params: Mapping[str, Any], default_period: str) -> Chosen:
    """The filters ``params`` ask for; the dashboard's ``default_period`` when they name none."""
    start, end = _date(params, "start"), _date(params, "end")
    period = params.get("period") or default_period
    if start or end:
        period = "custom"
        if start and end and start > end:
            raise ValidationError({"end": [_("The end comes before the start.")]})
        applied_start, applied_end = start, end
    else:
        if period not in Period.values:
            raise ValidationError({"period": [_("Choose one of the periods offered.")]})
        context = current_context()
        applied_start, applied_end = period_range(period, context.today, context.fiscal_start_month)
    owner, team = _id(params, "owner"), _id(params, "team")
    if owner is not None and team is not None:
        raise ValidationError({"team": [_("Choose an owner or a team, not both.")]})
    owner_ids: frozenset[int] | None = None
    if owner is not None:
        if not User.objects.filter(pk=owner).exists():
            raise ValidationError({"owner": [_("No such user.")]})
        owner_ids = frozenset({owner})
    if team is not None:
        found = Team.objects.filter(pk=team).first()
        if found is None:
            raise ValidationError({"team": [_("No such team.")]})
        owner_ids = frozenset(User.objects.filter(teams=found).values_list("pk", flat=True))
    return Chosen(
        period=str(period), start=start, end=end, owner=owner, team=team,
        applied=DashboardFilters(start=applied_start, end=applied_end, owner_ids=owner_ids),
    )  # fmt: skip
