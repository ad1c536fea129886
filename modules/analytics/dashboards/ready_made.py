"""Ready-made dashboards (sales, marketing, service, management), registered by the modules whose
widgets fill them. A tenant is offered those whose modules its plan has; a widget whose kind the
tenant or user cannot see is left out rather than shown empty."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

from modules.analytics.dashboards.widgets import widget_named
from modules.registry import enabled_module_keys


@dataclass(frozen=True)
class Placement:
    """A widget kind at a place on the 12-column grid (``x`` + ``width`` ≤ 12)."""

    kind: str
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class ReadyMade:
    key: str
    title: str | Promise
    description: str | Promise
    placements: tuple[Placement, ...]
    # Modules the dashboard is about (its widgets may need more; those are left out).
    needs: tuple[str, ...] = ()
    order: int = 100


_DASHBOARDS: dict[str, ReadyMade] = {}


def register_ready_made(dashboard: ReadyMade) -> None:
    if dashboard.key in _DASHBOARDS and _DASHBOARDS[dashboard.key] != dashboard:
        raise ValueError(f"Two ready-made dashboards are called {dashboard.key!r}")
    for placement in dashboard.placements:
        if placement.x < 0 or placement.width < 1 or placement.x + placement.width > 12:
            raise ValueError(f"{dashboard.key}: {placement.kind} does not fit the 12-column grid")
    _DASHBOARDS[dashboard.key] = dashboard


def registered_ready_made() -> list[ReadyMade]:
    return sorted(_DASHBOARDS.values(), key=lambda dashboard: (dashboard.order, dashboard.key))


def ready_made_named(key: str) -> ReadyMade | None:
    return _DASHBOARDS.get(key)


def offered_ready_made(tenant: object) -> list[ReadyMade]:
    enabled = enabled_module_keys(tenant)
    return [dashboard for dashboard in registered_ready_made() if set(dashboard.needs) <= enabled]


def placements_for(dashboard: ReadyMade, kinds_available: set[str]) -> list[Placement]:
    """The dashboard's placements whose kinds exist and are available to the reader."""
    return [p for p in dashboard.placements if widget_named(p.kind) is not None and p.kind in kinds_available]
