from __future__ import annotations

from typing import Any

import graphene

from api.entities import LEAD
from api.graphql.core import RecordMutation, error_type, reloaded
from api.graphql.custom_fields.inputs import with_custom_values
from api.graphql.sales.mutations.inputs import LeadInput, sales_values
from api.graphql.sales.types import LeadType
from customization.fields.choices import Entity
from identity.models import User
from modules.sales.services.leads import create_lead


class LeadCreate(RecordMutation):
    """Create a lead (sales module)."""

    class Arguments:
        input = LeadInput(required=True)

    lead = graphene.Field(LeadType, description="Null when the new lead is not one you can see.")
    errors = graphene.List(graphene.NonNull(error_type("LeadCreate")), required=True)

    module = LEAD.module
    permission = LEAD.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        lead = create_lead(by=user, **with_custom_values(info, Entity.LEAD, sales_values(info, data["input"])))
        return {"lead": reloaded(LeadType, info, lead)}
