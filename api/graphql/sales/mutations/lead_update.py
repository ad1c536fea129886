from __future__ import annotations

from typing import Any

import graphene

from api.entities import LEAD
from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from api.graphql.custom_fields.inputs import with_custom_values
from api.graphql.sales.mutations.inputs import LeadInput, sales_values
from api.graphql.sales.types import LeadType
from customization.fields.choices import Entity
from identity.models import User
from modules.sales.services.leads import update_lead


class LeadUpdate(RecordMutation):
    """Change the fields sent in ``input`` of a lead you can see."""

    class Arguments:
        id = graphene.ID(required=True)
        input = LeadInput(required=True)

    lead = graphene.Field(LeadType)
    errors = graphene.List(graphene.NonNull(error_type("LeadUpdate")), required=True)

    module = LEAD.module
    permission = LEAD.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        lead = resolve_reference(info, data["id"], LeadType, "id")
        update_lead(lead, by=user, **with_custom_values(info, Entity.LEAD, sales_values(info, data["input"])))
        return {"lead": reloaded(LeadType, info, lead)}
