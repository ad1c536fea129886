"""Reading campaigns: the ones a user may see (by owner, like every record), their members with
what a page shows of them, and counts per member status."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from identity.models import User
from identity.visibility import restrict_to_visible
from modules.marketing.choices import MemberStatus
from modules.marketing.models import Campaign, CampaignMember


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    return restrict_to_visible(Campaign.objects.all(), user)


def campaign_list_queryset(user: User) -> QuerySet[Campaign]:
    """The list's rows with their owner, parent and member count (one query per page)."""
    return visible_campaigns(user).select_related("owner", "parent").annotate(member_count=Count("members"))


def campaign_members(campaign: Campaign) -> QuerySet[CampaignMember]:
    """Newest first, with the contact (and its company) or the lead joined."""
    return campaign.members.select_related("contact__company", "lead").order_by("-created_at", "-id")


def members_by_status(campaign: Campaign) -> list[dict[str, Any]]:
    """Every member status in order with its count (zero included), one query."""
    counts = campaign.members.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in MemberStatus.values}
    )
    return [{"status": value, "label": label, "count": counts[value]} for value, label in MemberStatus.choices]
