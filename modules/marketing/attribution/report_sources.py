"""Campaigns, campaign members and campaign touches as report sources
(``modules.analytics.reports.registry``), registered from ``AttributionConfig.ready()``.

Members and touches follow their campaign's visibility (a campaign's owner is theirs too)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from modules.analytics.reports.registry import ListLink, ReportSource, register_source
from modules.marketing.attribution.models import Touch
from modules.marketing.models import CampaignMember
from modules.marketing.selectors.campaigns import visible_campaigns

CAMPAIGN_FIELDS = (
    "name", "kind", "status", "parent", "owner", "start_date", "end_date", "currency", "budget", "actual_cost",
    "expected_revenue", "created_at",
)  # fmt: skip
MEMBER_FIELDS = (
    "campaign", "status", "responded_at", "created_at", "contact", "lead", "campaign.kind", "campaign.status",
    "campaign.owner", "contact.company", "contact.job_title",
)  # fmt: skip
TOUCH_FIELDS = ("campaign", "kind", "occurred_at", "contact", "lead", "deal", "campaign.kind", "campaign.owner")
MONEY = {"budget": "currency", "actual_cost": "currency", "expected_revenue": "currency"}
CAMPAIGN_LIST = ListLink("marketing:campaign-list", params={"kind": "kind", "status": "status", "owner": "owner"})


def visible_members(user: Any) -> QuerySet[CampaignMember]:
    return CampaignMember.objects.filter(campaign__in=visible_campaigns(user).values("pk"))


def visible_touches(user: Any) -> QuerySet[Touch]:
    return Touch.objects.filter(campaign__in=visible_campaigns(user).values("pk"))


def register() -> None:
    register_source(
        ReportSource(
            key="campaigns", label=_("Campaigns"), model="marketing.Campaign", module="marketing",
            visible=visible_campaigns, entity="campaign", fields=CAMPAIGN_FIELDS, money=MONEY,
            list_link=CAMPAIGN_LIST, order=60,
        )
    )  # fmt: skip
    register_source(
        ReportSource(
            key="campaign_members", label=_("Campaign members"), model="marketing.CampaignMember",
            module="marketing", visible=visible_members, fields=MEMBER_FIELDS, owner_field="campaign.owner",
            order=61,
        )
    )  # fmt: skip
    register_source(
        ReportSource(
            key="campaign_touches", label=_("Campaign touches"), model="marketing_attribution.Touch",
            module="marketing", visible=visible_touches, fields=TOUCH_FIELDS, owner_field="campaign.owner",
            order=62,
        )
    )  # fmt: skip
