"""Input objects of the campaign mutations; the campaign service says what is required."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene

from api.graphql.core import input_values
from api.graphql.identity.types import UserType
from api.graphql.marketing.types import CampaignKindEnum, CampaignStatusEnum, CampaignType
from customization.fields.choices import Entity

TEXT_FIELDS = frozenset({"name", "description", "currency"})


class CampaignInput(graphene.InputObjectType):
    custom_fields_entity: ClassVar[str] = Entity.CAMPAIGN  # ``custom`` in the tenant's schema

    name = graphene.String(description="Required on create.")
    kind = graphene.InputField(CampaignKindEnum, description="EMAIL when not given.")
    status = graphene.InputField(CampaignStatusEnum, description="PLANNED when not given.")
    parent = graphene.ID(description="The campaign this one is part of (a Campaign id).")
    owner = graphene.ID(description="A User id.")
    start_date = graphene.Date()
    end_date = graphene.Date(description="On or after the start date.")
    currency = graphene.String(description="ISO 4217 code; EUR when not given.")
    budget = graphene.Decimal()
    actual_cost = graphene.Decimal()
    expected_revenue = graphene.Decimal()
    description = graphene.String()


REFERENCES = {"parent": CampaignType, "owner": UserType}


def campaign_values(info: Any, data: Any) -> dict[str, Any]:
    """Campaign service keyword arguments: ids become visible records; null text is empty text."""
    values = input_values(data, references=REFERENCES, info=info)
    for name in TEXT_FIELDS & set(values):
        if values[name] is None:
            values[name] = ""
    for name in ("kind", "status"):
        if name in values and values[name] is None:
            values.pop(name)
    return values
