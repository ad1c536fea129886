"""Campaigns and their members (the marketing module). A member is a contact or a lead in a
campaign with a status; it follows its campaign's visibility."""

from __future__ import annotations

from api.entities.base import (
    ID,
    TIMESTAMPS,
    UPDATED_AFTER,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    choice,
    orderings,
    relation,
    writable,
)
from customization.fields.choices import Entity
from modules.marketing.choices import CampaignKind, CampaignStatus, MemberStatus
from modules.marketing.models import Campaign, CampaignMember
from modules.marketing.services.campaigns import (
    create_campaign,
    create_member,
    delete_campaign,
    delete_member,
    update_campaign,
    update_member,
)

CAMPAIGN = EntityDescription(
    name="campaign",
    resource="campaigns",
    model=Campaign,
    module="marketing",
    custom_entity=Entity.CAMPAIGN,
    graphql_type="Campaign",
    fields=(
        ID,
        writable("name"),
        writable("kind", "email, event, webinar, ads, trade_show, partner, content or other."),
        writable("status", "planned, active, completed or aborted."),
        relation("parent", "The campaign this one is part of."),
        relation("owner", "The user responsible for the campaign."),
        writable("start_date"),
        writable("end_date", "On or after the start date."),
        writable("currency", "Of the budget, actual cost and expected revenue."),
        writable("budget"),
        writable("actual_cost"),
        writable("expected_revenue"),
        writable("description"),
        *TIMESTAMPS,
    ),
    filters=(
        choice("kind", CampaignKind),
        choice("status", CampaignStatus),
        by_id("owner", "User", "Campaigns of this owner (a User id)."),
        by_id("parent", "Campaign", "Sub-campaigns of this campaign (a Campaign id)."),
        Filter(
            "starts_after",
            FilterKind.DATE,
            field="start_date",
            lookup="gte",
            description="Starting on or after this day (YYYY-MM-DD).",
        ),
        Filter(
            "starts_before",
            FilterKind.DATE,
            field="start_date",
            lookup="lte",
            description="Starting on or before this day (YYYY-MM-DD).",
        ),
        UPDATED_AFTER,
    ),
    orderings=orderings("name", "start_date", "end_date", "budget", "actual_cost", "created_at", "updated_at"),
    create=create_campaign,
    update=update_campaign,
    delete=delete_campaign,
)

CAMPAIGN_MEMBER = EntityDescription(
    name="campaign_member",
    resource="campaign_members",
    model=CampaignMember,
    module="marketing",
    owner_field="",
    graphql_type="CampaignMember",
    fields=(
        ID,
        relation("campaign", "The campaign; set on creation."),
        relation("contact", "The contact (or a lead); set on creation."),
        relation("lead", "The lead (or a contact); set on creation."),
        writable("status", "targeted, sent, responded, registered or attended."),
        Field("responded_at", description="When the member first reached responded or further."),
        *TIMESTAMPS,
    ),
    filters=(
        by_id("campaign", "Campaign", "Members of this campaign (a Campaign id)."),
        by_id("contact", "Contact", "Memberships of this contact (a Contact id)."),
        choice("status", MemberStatus),
        UPDATED_AFTER,
    ),
    orderings=orderings("created_at", "updated_at", "responded_at"),
    create=create_member,
    update=update_member,
    delete=delete_member,
)
