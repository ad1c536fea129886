from __future__ import annotations

from typing import Any

import graphene

from api.entities import DEAL
from api.graphql.core import RecordMutation, error_type, resolve_reference
from api.graphql.sales.types import DealType
from identity.models import User
from modules.sales.services.deals import delete_deal


class DealDelete(RecordMutation):
    """Delete a deal you can see."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the deal had.")
    errors = graphene.List(graphene.NonNull(error_type("DealDelete")), required=True)

    module = DEAL.module
    permission = DEAL.permission("delete")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_deal(resolve_reference(info, data["id"], DealType, "id"), by=user)
        return {"deleted_id": data["id"]}
