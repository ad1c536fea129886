"""Activities as a report source (``modules.analytics.reports.registry``), registered from
``ActivitiesConfig.ready()``. Visibility follows the assignee."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from modules.activities.selectors import visible_activities
from modules.analytics.reports.registry import ListLink, ReportSource, register_source


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
            # The list shows my open activities unless told otherwise: every status, everyone's.
            list_link=ListLink(
                "activities:activity-list",
                params={"kind": "kind", "company": "company", "contact": "contact", "deal": "deal"},
                base={"status": "all", "assignee": "all"},
            ),
            owner_field="assignee", order=70,
        )
    )  # fmt: skip
