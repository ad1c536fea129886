"""Marketing's root mutations: campaigns, and a campaign's members (add, change status, remove)."""

from __future__ import annotations

from typing import Any

import graphene

from api.entities import CAMPAIGN, CAMPAIGN_MEMBER
from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from api.graphql.custom_fields.inputs import with_custom_values
from api.graphql.marketing.inputs import CampaignInput, CampaignMemberInput, campaign_values, member_values
from api.graphql.marketing.types import CampaignMemberType, CampaignType
from customization.fields.choices import Entity
from identity.models import User
from modules.marketing.services.campaigns import (
    create_campaign,
    create_member,
    delete_campaign,
    delete_member,
    update_campaign,
    update_member,
)


class CampaignCreate(RecordMutation):
    """Create a campaign (marketing module)."""

    class Arguments:
        input = CampaignInput(required=True)

    campaign = graphene.Field(CampaignType, description="Null when the new campaign is not one you can see.")
    errors = graphene.List(graphene.NonNull(error_type("CampaignCreate")), required=True)

    module = CAMPAIGN.module
    permission = CAMPAIGN.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        values = with_custom_values(info, Entity.CAMPAIGN, campaign_values(info, data["input"]))
        return {"campaign": reloaded(CampaignType, info, create_campaign(by=user, **values))}

    @classmethod
    def required_fields(cls, data: dict[str, Any]) -> frozenset[str]:
        return frozenset({"name"})


class CampaignUpdate(RecordMutation):
    """Change the fields sent in ``input`` of a campaign you can see."""

    class Arguments:
        id = graphene.ID(required=True)
        input = CampaignInput(required=True)

    campaign = graphene.Field(CampaignType, description="Null when the campaign is no longer one you can see.")
    errors = graphene.List(graphene.NonNull(error_type("CampaignUpdate")), required=True)

    module = CAMPAIGN.module
    permission = CAMPAIGN.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        campaign = resolve_reference(info, data["id"], CampaignType, "id")
        update_campaign(
            campaign, by=user, **with_custom_values(info, Entity.CAMPAIGN, campaign_values(info, data["input"]))
        )
        return {"campaign": reloaded(CampaignType, info, campaign)}


class CampaignDelete(RecordMutation):
    """Delete a campaign you can see with its members (its sub-campaigns stay)."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the campaign had.")
    errors = graphene.List(graphene.NonNull(error_type("CampaignDelete")), required=True)

    module = CAMPAIGN.module
    permission = CAMPAIGN.permission("delete")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_campaign(resolve_reference(info, data["id"], CampaignType, "id"), by=user)
        return {"deleted_id": data["id"]}


class CampaignMemberAdd(RecordMutation):
    """Add a contact or a lead you can see to a campaign you can see (refused when already in it)."""

    class Arguments:
        input = CampaignMemberInput(required=True)

    member = graphene.Field(CampaignMemberType)
    errors = graphene.List(graphene.NonNull(error_type("CampaignMemberAdd")), required=True)

    module = CAMPAIGN_MEMBER.module
    permission = CAMPAIGN_MEMBER.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        member = create_member(by=user, **member_values(info, data["input"]))
        return {"member": reloaded(CampaignMemberType, info, member)}

    @classmethod
    def required_fields(cls, data: dict[str, Any]) -> frozenset[str]:
        return frozenset({"campaign"})


class CampaignMemberUpdate(RecordMutation):
    """Move a member of a campaign you can see to another status (the first response is stamped);
    only ``status`` may change."""

    class Arguments:
        id = graphene.ID(required=True)
        input = CampaignMemberInput(required=True)

    member = graphene.Field(CampaignMemberType)
    errors = graphene.List(graphene.NonNull(error_type("CampaignMemberUpdate")), required=True)

    module = CAMPAIGN_MEMBER.module
    permission = CAMPAIGN_MEMBER.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        member = resolve_reference(info, data["id"], CampaignMemberType, "id")
        member = update_member(member, by=user, **member_values(info, data["input"]))
        return {"member": reloaded(CampaignMemberType, info, member)}


class CampaignMemberRemove(RecordMutation):
    """Take a member out of a campaign you can see."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the member had.")
    errors = graphene.List(graphene.NonNull(error_type("CampaignMemberRemove")), required=True)

    module = CAMPAIGN_MEMBER.module
    permission = CAMPAIGN_MEMBER.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_member(resolve_reference(info, data["id"], CampaignMemberType, "id"), by=user)
        return {"deleted_id": data["id"]}


class MarketingMutations(graphene.ObjectType):
    campaign_create = CampaignCreate.Field()
    campaign_update = CampaignUpdate.Field()
    campaign_delete = CampaignDelete.Field()
    campaign_member_add = CampaignMemberAdd.Field()
    campaign_member_update = CampaignMemberUpdate.Field()
    campaign_member_remove = CampaignMemberRemove.Field()
