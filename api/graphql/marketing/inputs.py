"""Input objects of the campaign mutations; the campaign service says what is required."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene

from api.graphql.contacts.types import ContactType
from api.graphql.core import input_values
from api.graphql.identity.types import UserType
from api.graphql.marketing.types import CampaignKindEnum, CampaignStatusEnum, CampaignType, MemberStatusEnum
from api.graphql.sales.types import LeadType
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


class CampaignMemberInput(graphene.InputObjectType):
    campaign = graphene.ID(description="A Campaign id; required on create, not changed afterwards.")
    contact = graphene.ID(description="A Contact id (or a lead); set on create.")
    lead = graphene.ID(description="A Lead id (or a contact); set on create.")
    status = graphene.InputField(MemberStatusEnum, description="TARGETED when not given.")


MEMBER_REFERENCES = {"campaign": CampaignType, "contact": ContactType, "lead": LeadType}


def member_values(info: Any, data: Any) -> dict[str, Any]:
    """Member service keyword arguments: ids become visible records."""
    values = input_values(data, references=MEMBER_REFERENCES, info=info)
    if "status" in values and values["status"] is None:
        values.pop("status")
    return values
