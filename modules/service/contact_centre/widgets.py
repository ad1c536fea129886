"""The CSAT dashboard widget: the share of satisfied answers over the dashboard's period (by the
day answered, in the reader's time zone) for the cases the reader may see, against the period before."""

from __future__ import annotations

from typing import Any

from modules.analytics.dashboards.widgets import DashboardFilters, WidgetData


def compute_csat(user: Any, filters: DashboardFilters) -> WidgetData:
    from modules.analytics.dashboards.builtin_support import previous_period, reader_zone
    from modules.service.contact_centre.selectors import answered, csat_overall
    from modules.service.selectors.cases import visible_cases

    def score(period: DashboardFilters) -> float | None:
        surveys = answered(period.start, period.end).filter(case__in=visible_cases(user).values("id"))
        if period.owner_ids is not None:
            surveys = surveys.filter(agent_id__in=sorted(period.owner_ids))
        return csat_overall(surveys).score

    with reader_zone(user):
        before = previous_period(filters)
        return WidgetData(value=score(filters), previous=score(before) if before else None, unit="%")
