"""What the parts of the service module add to the case page, without the page importing them.

The SLA clock, knowledge-base suggestions, canned responses, the collision warning and the like
live in their own apps; each registers a ``CasePanel`` from its ``AppConfig.ready()`` and the case
page renders the panels of each place in ``position`` order. A panel's ``context`` gets the request
and the case and returns the template's context (``None``: the panel is not shown for this case or
user). A panel must not cost queries per list row: it is shown on one case's page only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Where a panel goes on the case page.
PLACES = ("header", "sidebar", "composer", "conversation_end")

PanelContext = Callable[[Any, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class CasePanel:
    key: str
    template: str
    place: str = "sidebar"
    position: int = 100
    context: PanelContext | None = None


_PANELS: dict[str, CasePanel] = {}


def register_case_panel(panel: CasePanel) -> None:
    if panel.place not in PLACES:
        raise ValueError(f"unknown case page place {panel.place!r}")
    _PANELS[panel.key] = panel


def panels_for(request: Any, case: Any, place: str) -> list[tuple[CasePanel, dict[str, Any]]]:
    """The panels of ``place`` to show on ``case``'s page for ``request.user``, with their context."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.position, p.key)):
        if panel.place != place:
            continue
        context = panel.context(request, case) if panel.context else {}
        if context is not None:
            shown.append((panel, context))
    return shown
