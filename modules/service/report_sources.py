"""Cases and case messages as report sources (``modules.analytics.reports.registry``), registered
from ``ServiceConfig.ready()``.

A case's status is offered by its label and its category (the tenant's statuses have no name
column the builder could show for the link). Response and resolution times are not fields of the
record, and the builder measures fields only: reports show the moments (``first_response_at``,
``solved_at``) and their earliest and latest; the dashboard widgets give the medians in hours.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from modules.analytics.reports.registry import ListLink, ReportSource, register_source
from modules.service.models import CaseMessage
from modules.service.selectors.cases import visible_cases

CASE_FIELDS = (
    "number", "subject", "status.label", "status.category", "priority", "channel", "category", "team", "owner",
    "contact", "company", "deal", "order", "product", "language", "created_at", "first_response_at", "solved_at",
    "closed_at", "status_changed_at", "last_customer_message_at", "updated_at", "company.industry",
    "company.country", "company.owner", "contact.job_title",
)  # fmt: skip
MESSAGE_FIELDS = (
    "kind", "author_kind", "channel", "author", "contact", "created_at", "case", "case.priority", "case.channel",
    "case.category", "case.team", "case.owner", "case.company", "case.created_at",
)  # fmt: skip

# The case list's own parameters for a group's values; other groups open it narrowed to the cell.
CASE_LIST = ListLink(
    "service:case-list",
    params={
        "status.category": "status_category", "priority": "priority", "channel": "channel",
        "category": "category", "team": "queue", "owner": "agent", "contact": "contact", "company": "company",
    },
)  # fmt: skip


def visible_case_messages(user: Any) -> QuerySet[CaseMessage]:
    """Messages of the cases ``user`` may see (a message follows its case)."""
    return CaseMessage.objects.filter(case__in=visible_cases(user).values("pk"))


def register() -> None:
    register_source(
        ReportSource(
            key="cases", label=_("Cases"), model="service.Case", module="service", visible=visible_cases,
            entity="case", fields=CASE_FIELDS, list_link=CASE_LIST, order=70,
        )
    )  # fmt: skip
    register_source(
        ReportSource(
            key="case_messages", label=_("Case messages"), model="service.CaseMessage", module="service",
            visible=visible_case_messages, fields=MESSAGE_FIELDS, owner_field="case.owner", order=80,
        )
    )  # fmt: skip
