"""The sales forecast of one month, quarter or year, per owner and per team, against quotas.
Quarters and years follow the workspace's fiscal calendar (``modules.workspace.fiscal``).

Definitions (all amounts in the tenant's base currency):

- **pipeline**: open deals expected to close in the period, full amount;
- **weighted**: the same deals × their effective probability (the deal's own, else its stage's);
- **committed**: open deals of the period whose effective probability is at least ``COMMIT_THRESHOLD``
  (deals have no separate "commit" flag, so the probability is the commitment);
- **won**: deals won with a close date in the period (in the viewer's time zone);
- **quota**: the sum of the owners' monthly quotas in the period; a team's quota is its members' sum.

Open deals convert with the rate valid on their expected close date, won deals with the rate on the
day they closed (``RateTable``: latest rate on or before that date). A deal with no such rate is left
out of the numbers and listed as unconvertible. Aggregation happens in SQL, grouped by owner (or
product, industry, country: ``forecast_groups``), currency and date, so the query count does not
depend on the number of deals. Quotas belong to users, so only the owner and team view has them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.input_bounds import FIRST_YEAR, LAST_YEAR
from identity.models import User
from identity.visibility import restrict_to_visible, visible_owner_ids
from modules.contacts.services.money import RateTable
from modules.sales.choices import DealStatus
from modules.sales.models import Deal, Product, Quota
from modules.sales.selectors.forecast_groups import COMMIT_THRESHOLD, GROUPINGS, ZERO, grouped
from modules.workspace.fiscal import (
    add_months,
    fiscal_quarter,
    fiscal_quarter_label,
    fiscal_quarter_start,
    fiscal_year_name,
    fiscal_year_start,
)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class Period:
    """A month, or a quarter or year of the workspace's fiscal calendar (``fiscal_start_month``)."""

    kind: str  # "month", "quarter" or "year"
    start: dt.date
    end: dt.date  # exclusive
    fiscal_start_month: int = 1

    @property
    def key(self) -> str:
        """How the period is named in the address: ``2026-11``, ``2026-Q1`` (quarter 1 of the fiscal
        year starting in 2026), ``2026`` (that fiscal year)."""
        first_year = fiscal_year_start(self.start, self.fiscal_start_month).year
        if self.kind == "quarter":
            return f"{first_year}-Q{fiscal_quarter(self.start, self.fiscal_start_month)}"
        if self.kind == "year":
            return str(first_year)
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        """How the period is named on the page, in the reader's language."""
        if self.kind == "quarter":
            return fiscal_quarter_label(self.start, self.fiscal_start_month)
        if self.kind == "year":
            return fiscal_year_name(self.start.year, self.fiscal_start_month)
        return date_format(self.start, "YEAR_MONTH_FORMAT")

    @property
    def months(self) -> list[dt.date]:
        return [add_months(self.start, offset) for offset in range(PERIOD_MONTHS[self.kind])]

    def shifted(self, count: int) -> Period:
        return period_starting(
            self.kind, add_months(self.start, count * PERIOD_MONTHS[self.kind]), self.fiscal_start_month
        )


def period_starting(kind: str, start: dt.date, fiscal_start_month: int = 1) -> Period:
    return Period(kind, start, add_months(start, PERIOD_MONTHS[kind]), fiscal_start_month)


def parse_period(kind: str, value: str, today: dt.date, fiscal_start_month: int = 1) -> Period:
    """``2026-11`` (month), ``2026-Q4`` (quarter) or ``2026`` (year), quarters and years of the fiscal
    year starting in ``fiscal_start_month`` of that year; the period holding ``today`` when unreadable."""
    kind = kind if kind in PERIOD_MONTHS else "month"
    fiscal = fiscal_start_month
    try:
        if kind == "quarter":
            year, quarter = value.split("-Q")
            if not 1 <= int(quarter) <= 4:
                raise ValueError(value)
            start = add_months(dt.date(int(year), fiscal, 1), (int(quarter) - 1) * 3)
        elif kind == "year":
            start = dt.date(int(value), fiscal, 1)
        else:
            year_text, month_text = value.split("-")
            start = dt.date(int(year_text), int(month_text), 1)
        if not FIRST_YEAR <= start.year <= LAST_YEAR:  # the arrows must reach the next and previous
            raise ValueError(value)
        return period_starting(kind, start, fiscal)
    except ValueError:
        starts = {"quarter": fiscal_quarter_start, "year": fiscal_year_start}
        start = starts[kind](today, fiscal) if kind in starts else today.replace(day=1)
        return period_starting(kind, start, fiscal)


@dataclass
class Figures:
    quota: Decimal = ZERO
    won: Decimal = ZERO
    committed: Decimal = ZERO
    weighted: Decimal = ZERO
    pipeline: Decimal = ZERO
    open_deals: int = 0
    won_deals: int = 0

    def add(self, other: Figures) -> None:
        for name in ("quota", "won", "committed", "weighted", "pipeline", "open_deals", "won_deals"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def attainment(self) -> Decimal | None:
        """Won as a percentage of quota."""
        return None if not self.quota else (self.won * 100 / self.quota).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def forecast(self) -> Decimal:
        """What the period should bring: won plus committed."""
        return self.won + self.committed

    @property
    def gap(self) -> Decimal:
        """Quota not yet covered by won and committed deals (negative: ahead of quota)."""
        return self.quota - self.forecast


@dataclass
class Row:
    key: str
    label: str
    figures: Figures = field(default_factory=Figures)
    member_ids: list[int | None] = field(default_factory=list)


@dataclass(frozen=True)
class Unconvertible:
    deal_id: int
    name: str
    owner: str
    amount: Decimal
    currency: str
    on: dt.date
    status: str


@dataclass
class Forecast:
    period: Period
    base_currency: str
    owners: list[Row]
    teams: list[Row]
    total: Figures
    unconvertible: list[Unconvertible]
    commit_threshold: int = COMMIT_THRESHOLD
    by: str = "owner"
    # Per product, industry or country (``by`` other than "owner"), without quotas.
    groups: list[Row] = field(default_factory=list)


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(period.start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(period.end, dt.time.min, tzinfo=zone),
    )


def _as_date(value: object) -> dt.date:
    if not isinstance(value, dt.date):
        raise TypeError(value)
    return value


def _as_decimal(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _as_owner(value: object) -> int | None:
    return None if value is None else int(str(value))


def build_forecast(user: User, period: Period, by: str = "owner") -> Forecast:
    """The forecast of ``period`` over the deals ``user`` may see, per owner and team (``by`` "owner",
    with quotas) or per product, industry or country (``groups``; quotas do not apply)."""
    deals = restrict_to_visible(Deal.objects.all(), user)
    rates = RateTable()
    missing: set[tuple[str, dt.date]] = set()

    def convert(amount: Decimal, currency: str, on: dt.date) -> Decimal | None:
        converted = rates.to_base(amount, currency, on)
        if converted is None:
            missing.add((currency, on))
            return None
        return cents(converted)

    open_rows, won_rows = grouped(deals, period, by if by in GROUPINGS else "owner")
    figures = _add_up(open_rows, won_rows, convert)
    result = Forecast(
        period=period, base_currency=rates.base, owners=[], teams=[], total=Figures(), unconvertible=[], by=by
    )
    if by in GROUPINGS and by != "owner":
        result.groups = _labelled(by, figures)
        for row in result.groups:
            result.total.add(row.figures)
    else:
        result.by = "owner"
        result.owners, result.teams = _owners_and_teams(user, period, figures)
        for owner in result.owners:
            result.total.add(owner.figures)
    result.unconvertible = _unconvertible(deals, period, missing)
    return result


def _add_up(
    open_rows: Iterable[Mapping[str, Any]], won_rows: Iterable[Mapping[str, Any]], convert: Any
) -> dict[Any, Figures]:
    figures: dict[Any, Figures] = defaultdict(Figures)
    for group in open_rows:
        currency, on = str(group["currency"]), _as_date(group["on"])
        pipeline, weighted, committed = (
            convert(_as_decimal(group[name]), currency, on) for name in ("pipeline", "weighted", "committed")
        )
        if pipeline is None or weighted is None or committed is None:
            continue
        row = figures[group["group"]]
        row.pipeline += pipeline
        row.weighted += weighted
        row.committed += committed
        row.open_deals += int(str(group["count"]))
    for group in won_rows:
        won = convert(_as_decimal(group["won"]), str(group["currency"]), _as_date(group["on"]))
        if won is None:
            continue
        row = figures[group["group"]]
        row.won += won
        row.won_deals += int(str(group["count"]))
    return figures


def _labelled(by: str, figures: dict[Any, Figures]) -> list[Row]:
    """Rows per product, industry or country, the largest forecast first; the empty group last."""
    names: dict[Any, str] = {}
    if by == "product":
        names = dict(Product.objects.filter(pk__in=[key for key in figures if key]).values_list("pk", "name"))
    empty = {"product": _("No product"), "industry": _("No industry"), "country": _("No country")}[by]
    rows = [
        Row(key=str(key or ""), label=names.get(key, "?") if by == "product" else str(key), figures=value)
        for key, value in figures.items()
        if key
    ]
    rows.sort(key=lambda row: (-row.figures.forecast, -row.figures.pipeline, row.label.lower()))
    if None in figures or "" in figures:
        blank = Figures()
        for key in (None, ""):
            if key in figures:
                blank.add(figures[key])
        rows.append(Row(key="", label=str(empty), figures=blank))
    return rows


def _owners_and_teams(user: User, period: Period, figures: dict[Any, Figures]) -> tuple[list[Row], list[Row]]:
    visible = visible_owner_ids(user)
    quotas = Quota.objects.filter(month__gte=period.start, month__lt=period.end)
    if visible is not None:
        quotas = quotas.filter(user_id__in=visible)
    for user_id, amount in quotas.values("user_id").annotate(total=Sum("amount")).values_list("user_id", "total"):
        figures[user_id].quota += amount

    user_ids = [key for key in figures if key is not None]
    names = {pk: User(pk=pk, email=email, full_name=name).display_name for pk, email, name in
             User.objects.filter(pk__in=user_ids).values_list("pk", "email", "full_name")}  # fmt: skip
    owners = [Row(key=str(pk), label=names.get(pk, "?"), figures=figures[pk], member_ids=[pk]) for pk in user_ids]
    owners.sort(key=lambda row: row.label.lower())
    if None in figures:
        owners.append(Row(key="unassigned", label=_("No owner"), figures=figures[None], member_ids=[None]))

    teams: dict[int, Row] = {}
    memberships = User.teams.through.objects.filter(user_id__in=user_ids).order_by("team__name", "team_id")
    for team_id, team_name, member_id in memberships.values_list("team_id", "team__name", "user_id"):
        team = teams.setdefault(team_id, Row(key=f"team-{team_id}", label=team_name))
        team.member_ids.append(member_id)
        team.figures.add(figures[member_id])
    return owners, list(teams.values())


def _unconvertible(deals: QuerySet[Deal], period: Period, missing: set[tuple[str, dt.date]]) -> list[Unconvertible]:
    """The deals behind the (currency, date) groups no rate covers: one query, only for those currencies."""
    if not missing:
        return []
    start, end = _bounds(period)
    zone = timezone.get_current_timezone()
    rows = (
        deals.filter(currency__in={currency for currency, _on in missing})
        .filter(
            Q(status=DealStatus.OPEN, expected_close_date__gte=period.start, expected_close_date__lt=period.end)
            | Q(status=DealStatus.WON, closed_at__gte=start, closed_at__lt=end)
        )
        .select_related("owner")
        .order_by("name", "id")
    )
    result = []
    for deal in rows:
        if deal.status == DealStatus.OPEN:
            on = deal.expected_close_date
        else:
            on = timezone.localtime(deal.closed_at, zone).date() if deal.closed_at else None
        if (deal.currency, on) in missing:
            owner = deal.owner.display_name if deal.owner else _("No owner")
            result.append(Unconvertible(deal.pk, deal.name, owner, deal.amount, deal.currency, on, deal.status))  # type: ignore[arg-type]
    return result
