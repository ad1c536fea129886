"""GraphQL types of the marketing module: ``Campaign`` and ``CampaignMember`` (fields from their
entity descriptions).

Marketing is optional per tenant: while it is not in the tenant's plan, the root fields, mutations
and node lookups answer MODULE_NOT_IN_PLAN; links from other records are null. A caller sees the
campaigns within their role's visibility (by owner) and the members of those campaigns; a member's
contact or lead is null when the caller may not see it.
"""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.db.models import Model, Prefetch, QuerySet
from graphene_django import DjangoObjectType

from api.entities import CAMPAIGN, CAMPAIGN_MEMBER
from api.entities.graphql import choice_enum, describe_fields, type_fields
from api.graphql.contacts.types import ContactType, visible_contacts
from api.graphql.core import (
    CountableConnection,
    Node,
    choice_field,
    module_enabled,
    require_module,
    require_permission,
    visible_link,
)
from api.graphql.identity.types import UserType
from api.graphql.sales.types import LeadType, visible_leads
from modules.marketing.choices import CampaignKind, CampaignStatus, MemberStatus
from modules.marketing.models import Campaign, CampaignMember
from modules.marketing.selectors.campaigns import visible_campaigns

CampaignKindEnum = choice_enum(CampaignKind)
CampaignStatusEnum = choice_enum(CampaignStatus)
MemberStatusEnum = choice_enum(MemberStatus, "How far a member has come in the campaign.")


def visible_campaign_rows(info: Any, queryset: QuerySet[Campaign] | None = None) -> QuerySet[Campaign]:
    """The caller's visible campaigns (after the module and permission checks)."""
    require_module(info, "marketing")
    user = require_permission(info, "marketing.view")
    campaigns = visible_campaigns(user)
    return campaigns if queryset is None else queryset.filter(pk__in=campaigns.values("pk"))


class MarketingType(DjangoObjectType):
    plan_module: ClassVar[str] = "marketing"

    class Meta:
        abstract = True

    @classmethod
    def get_node(cls, info: Any, id: str) -> Model | None:
        """A marketing record by primary key, or None (also while marketing is not in the plan)."""
        if not module_enabled(info, "marketing") or not id.isdigit():
            return None
        queryset = cls.get_queryset(cls._meta.model.objects.all(), info)
        return queryset.filter(pk=int(id)).first()  # type: ignore[no-any-return]


class CampaignType(MarketingType):
    """A marketing campaign of any kind, with its dates, budget and actual cost."""

    kind = choice_field(CampaignKindEnum, "kind")
    status = choice_field(CampaignStatusEnum, "status")
    parent = graphene.Field(lambda: CampaignType)
    owner = graphene.Field(UserType)

    custom_fields_entity: ClassVar[str] = CAMPAIGN.custom_entity  # ``custom`` in the tenant's schema

    class Meta:
        model = Campaign
        name = CAMPAIGN.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(CAMPAIGN)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Campaign], info: Any) -> QuerySet[Campaign]:
        user = info.context.user
        return (
            visible_campaign_rows(info, queryset)
            .select_related("owner")
            .prefetch_related(Prefetch("parent", queryset=visible_campaigns(user)))
        )

    @staticmethod
    def resolve_parent(root: Campaign, info: Any) -> Any:
        return visible_link(root, info, "parent", CampaignType)


class CampaignPersonLinks:
    """The links a campaign member and a campaign touch share: their campaign (already narrowed to
    the visible ones by the type's queryset) and their contact or lead, null when hidden."""

    @staticmethod
    def resolve_campaign(root: Any, info: Any) -> Any:
        return root.campaign

    @staticmethod
    def resolve_contact(root: Any, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)

    @staticmethod
    def resolve_lead(root: Any, info: Any) -> Any:
        return visible_link(root, info, "lead", LeadType)


class CampaignMemberType(CampaignPersonLinks, MarketingType):
    """A contact or a lead in a campaign, and how far they came."""

    status = choice_field(MemberStatusEnum, "status")
    campaign = graphene.Field(CampaignType, required=True)
    contact = graphene.Field(ContactType)
    lead = graphene.Field(LeadType)

    class Meta:
        model = CampaignMember
        name = CAMPAIGN_MEMBER.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(CAMPAIGN_MEMBER)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[CampaignMember], info: Any) -> QuerySet[CampaignMember]:
        user = info.context.user
        campaigns = visible_campaign_rows(info)
        return (
            queryset.filter(campaign__in=campaigns.values("pk"))
            .select_related("campaign")
            .prefetch_related(
                Prefetch("contact", queryset=visible_contacts(user)), Prefetch("lead", queryset=visible_leads(user))
            )
        )


describe_fields(CampaignType, CAMPAIGN)
describe_fields(CampaignMemberType, CAMPAIGN_MEMBER)
