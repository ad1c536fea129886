from __future__ import annotations

from typing import Any

import graphene

from api.entities import LEAD
from api.graphql.contacts.types import CompanyType, ContactType
from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from api.graphql.sales.types import DealType, LeadType, PipelineType, StageType
from identity.models import User
from modules.sales.services.leads import convert_lead


class LeadConvert(RecordMutation):
    """Turn a lead into an existing or new company, an existing or new contact and, unless
    ``createDeal`` is false, a deal. All or nothing; the lead ends CONVERTED."""

    class Arguments:
        id = graphene.ID(required=True)
        company = graphene.ID(description="An existing Company to use instead of creating one.")
        contact = graphene.ID(description="An existing Contact to use instead of creating one.")
        create_company = graphene.Boolean(default_value=True, description="Create a company from the lead's.")
        create_deal = graphene.Boolean(default_value=True)
        deal_name = graphene.String(description="The lead's company or person when not given.")
        pipeline = graphene.ID()
        stage = graphene.ID()
        amount = graphene.Decimal(description="The lead's estimated value when not given.")

    lead = graphene.Field(LeadType)
    company = graphene.Field(CompanyType)
    contact = graphene.Field(ContactType)
    deal = graphene.Field(DealType)
    errors = graphene.List(graphene.NonNull(error_type("LeadConvert")), required=True)

    module = LEAD.module
    permission = LEAD.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        lead = resolve_reference(info, data["id"], LeadType, "id")
        conversion = convert_lead(
            lead,
            by=user,
            company=resolve_reference(info, data.get("company"), CompanyType, "company"),
            contact=resolve_reference(info, data.get("contact"), ContactType, "contact"),
            create_company_record=data["create_company"],
            deal_name=data.get("deal_name"),
            pipeline=resolve_reference(info, data.get("pipeline"), PipelineType, "pipeline"),
            stage=resolve_reference(info, data.get("stage"), StageType, "stage"),
            amount=data.get("amount"),
            create_deal_record=data["create_deal"],
        )
        return {
            "lead": reloaded(LeadType, info, conversion.lead),
            "company": reloaded(CompanyType, info, conversion.company),
            "contact": reloaded(ContactType, info, conversion.contact),
            "deal": reloaded(DealType, info, conversion.deal),
        }
