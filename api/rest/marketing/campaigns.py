"""REST endpoints of campaigns and campaign members (marketing module): ``/api/v1/campaigns/`` and
``/api/v1/campaign_members/`` from their entity descriptions. A caller sees the campaigns within
their role's visibility (by owner, as on the pages) and the members of those campaigns; a member's
contact or lead reads as null when the caller may not see it."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from api.entities import CAMPAIGN, CAMPAIGN_MEMBER
from api.entities.rest import serializer_fields
from api.rest.activities.serializers import lead_field
from api.rest.contacts.serializers import contact_field
from api.rest.custom_fields import CustomFieldsRecordViewSet, CustomValuesField
from api.rest.records import RecordViewSet, RelatedByIdField, ServiceSerializer, acting_user, user_field
from modules.marketing.models import Campaign, CampaignMember
from modules.marketing.selectors.campaigns import visible_campaigns


def campaign_summary(campaign: Campaign | None) -> dict[str, Any] | None:
    return None if campaign is None else {"id": campaign.pk, "name": campaign.name}


def campaign_field(**kwargs: Any) -> RelatedByIdField:
    return RelatedByIdField(Campaign, campaign_summary, owner_field="owner", **kwargs)


class CampaignSerializer(ServiceSerializer):
    entity = CAMPAIGN
    # DRF takes declared fields off the class, so this does not shadow ``Field.parent`` at run time.
    parent = campaign_field()  # type: ignore[assignment]
    owner = user_field()
    custom = CustomValuesField()

    class Meta:
        model = Campaign
        fields = serializer_fields(CAMPAIGN)
        read_only_fields = CAMPAIGN.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "description": {"required": False},
            "currency": {"required": False},
        }


class CampaignViewSet(CustomFieldsRecordViewSet):
    """Campaigns you can see: filters and orderings below (also ``custom.<key>[.<op>]`` and
    ``ordering=[-]custom.<key>``), ``fields=`` for fewer fields, ``bulk/`` for up to 500 at once."""

    entity = CAMPAIGN
    serializer_class = CampaignSerializer


class CampaignMemberSerializer(ServiceSerializer):
    """A contact or a lead in a campaign; only ``status`` changes after creation."""

    entity = CAMPAIGN_MEMBER
    campaign = campaign_field(required=True, allow_null=False)
    contact = contact_field()
    lead = lead_field()

    class Meta:
        model = CampaignMember
        fields = serializer_fields(CAMPAIGN_MEMBER)
        read_only_fields = CAMPAIGN_MEMBER.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {"status": {"required": False}}
        # The service refuses a second membership (naming the field); DRF's validators of the
        # conditional unique constraints would demand both a contact and a lead.
        validators: ClassVar[list[Any]] = []

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None:  # a member's campaign, contact and lead are set on creation
            for name in ("campaign", "contact", "lead"):
                if name in fields:
                    fields[name].read_only = True
        return fields


MEMBER_ORDERING = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    description="Sort by a field (- for descending), ties by id.",
    enum=[value for item in CAMPAIGN_MEMBER.orderings for value in (item.name, f"-{item.name}")],
)


@extend_schema_view(list=extend_schema(parameters=[MEMBER_ORDERING]))
class CampaignMemberViewSet(RecordViewSet):
    """Members of the campaigns you can see: ``?campaign=<id>`` for one campaign's. POST adds a
    contact or a lead (refused when already a member), PATCH changes the status (the first
    response is stamped in ``responded_at``), DELETE takes the member out."""

    entity = CAMPAIGN_MEMBER
    serializer_class = CampaignMemberSerializer

    def get_queryset(self) -> QuerySet[Any]:
        campaigns = visible_campaigns(acting_user(self.request))
        return self.base_queryset().filter(campaign__in=campaigns.values("pk"))
