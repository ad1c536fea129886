"""Activities as a report source (``modules.analytics.reports.registry``), registered from
``ActivitiesConfig.ready()``. Visibility follows the assignee."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from modules.activities.selectors import visible_activities
from modules.analytics.reports.registry import ReportSource, register_source


def register() -> None:
    register_source(
        ReportSource(
            key="activities", label=_("Activities"), model="activities.Activity", module="activities",
            visible=visible_activities, entity="activity",
            fields=(
                "kind", "subject", "status", "priority", "direction", "outcome", "due_at", "completed_at",
                "assignee", "company", "contact", "deal", "created_at", "company.industry", "company.country",
                "deal.stage", "deal.pipeline",
            ),
            owner_field="assignee", order=70,
        )
    )  # fmt: skip
