from __future__ import annotations

from typing import Any

import graphene

from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from api.graphql.sales.mutations.inputs import QuoteInput, quote_values
from api.graphql.sales.quotes import QuoteType
from api.graphql.sales.types import DealType
from identity.models import User
from modules.sales.services.quotes import create_quote


class QuoteCreate(RecordMutation):
    """Start a draft quote for a deal you can see; it takes the deal's company, contact, owner and currency."""

    class Arguments:
        deal = graphene.ID(required=True)
        input = QuoteInput()

    quote = graphene.Field(QuoteType)
    errors = graphene.List(graphene.NonNull(error_type("QuoteCreate")), required=True)

    module = "sales"
    permission = "sales.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        deal = resolve_reference(info, data["deal"], DealType, "deal")
        quote = create_quote(deal=deal, by=user, **quote_values(data.get("input")))
        return {"quote": reloaded(QuoteType, info, quote)}
