"""Campaign touches (the marketing module's ``attribution`` app): a campaign reaching one contact,
lead or deal — a response, a form submitted, an e-mail link clicked. They are recorded by the apps
that see them (forms, e-mail delivery, members' responses), so the APIs list and read them only.

A touch follows its campaign's visibility (by the campaign's owner, as members do); its contact,
lead or deal follows the link rule (null when not one the caller may see). The touches that count
for one record — a contact's or a lead's own, a deal's by the attribution rule — are a nested list
of the record (REST ``<record>/<id>/campaign-touches/``, GraphQL ``campaignTouches``)."""

from __future__ import annotations

from api.entities.base import (
    ID,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    choice,
    orderings,
    relation,
)
from modules.marketing.attribution.choices import TouchKind
from modules.marketing.attribution.models import Touch

CAMPAIGN_TOUCH = EntityDescription(
    name="campaign_touch",
    resource="campaign_touches",
    rest_resource="campaign-touches",
    model=Touch,
    module="marketing",
    owner_field="",
    graphql_type="CampaignTouch",
    fields=(
        ID,
        relation("campaign", "The campaign that reached the record.", read_only=True),
        Field("kind", description="responded, form, email_click, ad_click, visit or other."),
        Field("occurred_at", description="When the campaign reached the record."),
        Field(
            "contact",
            description="The contact reached (null: another kind, or not one you can see).",
            select=("contact",),
        ),
        Field("lead", description="The lead reached (null: another kind, or not one you can see).", select=("lead",)),
        Field("deal", description="The deal reached (null: another kind, or not one you can see).", select=("deal",)),
        Field("created_at", description="When the touch was recorded (touches may arrive late)."),
    ),
    filters=(
        by_id("campaign", "Campaign", "Touches of this campaign (a Campaign id)."),
        choice("kind", TouchKind),
        by_id("contact", "Contact", "Touches recorded on this contact (a Contact id)."),
        by_id("lead", "Lead", "Touches recorded on this lead (a Lead id)."),
        by_id(
            "deal",
            "Deal",
            "Touches recorded on this deal itself (a Deal id); a deal's influencing touches "
            "are its nested campaign-touches list.",
        ),
        Filter(
            "occurred_after",
            FilterKind.DATETIME,
            field="occurred_at",
            lookup="gte",
            description="Reached at or after this time (ISO 8601).",
        ),
        Filter(
            "occurred_before",
            FilterKind.DATETIME,
            field="occurred_at",
            lookup="lt",
            description="Reached before this time (ISO 8601).",
        ),
    ),
    orderings=orderings("occurred_at", "created_at"),
)
