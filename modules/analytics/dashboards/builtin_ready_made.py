"""The ready-made "Management" dashboard: revenue, pipeline, win rate, the team's activity and
customer value on one page. It draws on kinds sales, activities and analytics register; a kind
the tenant's plan or the reader's role lacks is left out when the dashboard is shown."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from modules.analytics.dashboards.ready_made import Placement, ReadyMade, register_ready_made

MANAGEMENT = ReadyMade(
    key="management",
    title=_("Management"),
    description=_("Revenue, pipeline, win rate, the team's activity and customer value."),
    needs=("sales",),
    order=90,
    placements=(
        Placement("sales-won-revenue", 0, 0, 3, 2),
        Placement("sales-open-pipeline", 3, 0, 3, 2),
        Placement("sales-win-rate", 6, 0, 3, 2),
        Placement("customers-at-risk", 9, 0, 3, 2),
        Placement("sales-won-by-month", 0, 2, 8, 3),
        Placement("sales-pipeline-by-owner", 8, 2, 4, 3),
        Placement("sales-forecast-vs-quota", 0, 5, 8, 3),
        Placement("activities-completed-per-rep", 8, 5, 4, 3),
        Placement("customers-by-rfm-segment", 0, 8, 4, 3),
        Placement("customers-top-predicted-value", 4, 8, 8, 3),
        Placement("activities-by-type-per-week", 0, 11, 8, 3),
        Placement("activities-overdue", 8, 11, 4, 3),
    ),
)


def register() -> None:
    register_ready_made(MANAGEMENT)
