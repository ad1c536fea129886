from __future__ import annotations

from typing import Any

import graphene

from api.entities import DEAL
from api.graphql.core import RecordMutation, error_type, reloaded
from api.graphql.custom_fields.inputs import with_custom_values
from api.graphql.sales.mutations.inputs import DealInput, sales_values
from api.graphql.sales.types import DealType
from customization.fields.choices import Entity
from identity.models import User
from modules.sales.services.deals import create_deal


class DealCreate(RecordMutation):
    """Create a deal (sales module)."""

    class Arguments:
        input = DealInput(required=True)

    deal = graphene.Field(DealType, description="Null when the new deal is not one you can see.")
    errors = graphene.List(graphene.NonNull(error_type("DealCreate")), required=True)

    module = DEAL.module
    permission = DEAL.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        deal = create_deal(by=user, **with_custom_values(info, Entity.DEAL, sales_values(info, data["input"])))
        return {"deal": reloaded(DealType, info, deal)}
