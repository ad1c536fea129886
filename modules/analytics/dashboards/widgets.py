"""Dashboard widget kinds: the figures a dashboard can show besides saved reports, registered by the
modules that own the data (from their ``AppConfig.ready()``), so dashboards never import a module.

A kind computes its figures for one user under the dashboard's shared filters, in PostgreSQL, over
the records that user may see. It says which shared filters it honours (``filters``): when a user
changes a filter, only the widgets honouring it are queried again. A kind whose modules are not in
the tenant's plan, or whose permission the user lacks, is neither offered nor shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise

from modules.registry import enabled_module_keys

Number = int | float | Decimal | None


class Display(StrEnum):
    KPI = "kpi"
    BAR = "bar"
    LINE = "line"
    PIE = "pie"
    FUNNEL = "funnel"
    TABLE = "table"
    LEADERBOARD = "leaderboard"


class SharedFilter(StrEnum):
    """The filters a dashboard applies to every widget that honours them."""

    PERIOD = "period"  # a date range, inclusive, in the tenant's time zone
    OWNER = "owner"  # records owned by a set of users (one user, or a team's members)


@dataclass(frozen=True)
class DashboardFilters:
    start: date | None = None
    end: date | None = None
    # None: everyone the reader may see; otherwise the owners' user ids (a team is its members).
    owner_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class Point:
    label: str
    value: Number
    # The list of exactly the records behind the value, filtered (None: no such list).
    url: str | None = None


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[Point, ...]
    # "currency code", "%", "days", or "" for plain counts: two series with different units are
    # drawn on two axes.
    unit: str = ""


@dataclass(frozen=True)
class WidgetData:
    """What a widget shows. A KPI uses ``value`` (and ``previous``, the same figure over the period
    before, when it has one); charts use ``series``; tables and leaderboards use ``columns`` and
    ``rows`` (each row's last item may be its URL when ``row_urls`` is true)."""

    value: Number = None
    previous: Number = None
    unit: str = ""
    url: str | None = None
    series: tuple[Series, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    row_urls: bool = False
    # Each column's unit, as ``unit`` says it ("" for none): a table's amounts show their currency.
    column_units: tuple[str, ...] = ()
    # When the figures were computed, for widgets read from a precomputed analysis (None: now).
    as_of: datetime | None = None


@dataclass(frozen=True)
class WidgetKind:
    key: str
    title: str | Promise
    description: str | Promise
    display: Display
    # ``compute(user, filters)``: the figures for ``user`` under ``filters``, in the tenant's schema.
    compute: Callable[[Any, DashboardFilters], WidgetData]
    # Modules besides analytics whose records the widget reads.
    needs: tuple[str, ...] = ()
    # A permission besides ``analytics.view``.
    permission: str | None = None
    filters: frozenset[SharedFilter] = field(default_factory=lambda: frozenset(SharedFilter))
    # Default size on the 12-column grid.
    width: int = 4
    height: int = 2
    order: int = 100


_KINDS: dict[str, WidgetKind] = {}


def register_widget(kind: WidgetKind) -> None:
    if kind.key in _KINDS and _KINDS[kind.key] != kind:
        raise ValueError(f"Two dashboard widgets are called {kind.key!r}")
    _KINDS[kind.key] = kind


def registered_widgets() -> list[WidgetKind]:
    return sorted(_KINDS.values(), key=lambda kind: (kind.order, kind.key))


def widget_named(key: str) -> WidgetKind | None:
    return _KINDS.get(key)


def available_widgets(tenant: object, user: object) -> list[WidgetKind]:
    """The kinds ``user`` may add and see on ``tenant``: their modules enabled, permission held."""
    enabled = enabled_module_keys(tenant)
    has_perm = getattr(user, "has_perm", lambda _code: False)
    if "analytics" not in enabled or not has_perm("analytics.view"):
        return []
    return [
        kind
        for kind in registered_widgets()
        if set(kind.needs) <= enabled and (kind.permission is None or has_perm(kind.permission))
    ]
