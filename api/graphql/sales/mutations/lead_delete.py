from __future__ import annotations

from typing import Any

import graphene

from api.entities import LEAD
from api.graphql.core import RecordMutation, error_type, resolve_reference
from api.graphql.sales.types import LeadType
from identity.models import User
from modules.sales.services.leads import delete_lead


class LeadDelete(RecordMutation):
    """Delete a lead you can see."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the lead had.")
    errors = graphene.List(graphene.NonNull(error_type("LeadDelete")), required=True)

    module = LEAD.module
    permission = LEAD.permission("delete")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_lead(resolve_reference(info, data["id"], LeadType, "id"), by=user)
        return {"deleted_id": data["id"]}
