"""Marketing's root fields: campaigns and campaign members."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet

from api.entities import CAMPAIGN, CAMPAIGN_MEMBER
from api.entities.graphql import connection_arguments, filter_records
from api.graphql.core import ConnectionField
from api.graphql.custom_fields.connections import CustomFieldsConnectionField
from api.graphql.marketing.types import CampaignMemberType, CampaignType
from modules.marketing.models import Campaign, CampaignMember


class MarketingQueries(graphene.ObjectType):
    campaigns = CustomFieldsConnectionField(
        CampaignType,
        entity=CAMPAIGN.custom_entity,
        **connection_arguments(CAMPAIGN),
        description="Campaigns you can see (marketing module).",
    )
    campaign_members = ConnectionField(
        CampaignMemberType,
        **connection_arguments(CAMPAIGN_MEMBER),
        description="Members of the campaigns you can see.",
    )

    # Each resolver's queryset passes through its type's get_queryset (module, permission, visibility).

    def resolve_campaigns(self, info: Any, **args: Any) -> QuerySet[Campaign]:
        return filter_records(CAMPAIGN, Campaign.objects.all(), args)

    def resolve_campaign_members(self, info: Any, **args: Any) -> QuerySet[CampaignMember]:
        return filter_records(CAMPAIGN_MEMBER, CampaignMember.objects.all(), args)
