from __future__ import annotations

from typing import Any

import graphene

from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from api.graphql.sales.mutations.inputs import QuoteInput, quote_values
from api.graphql.sales.quotes import QuoteType
from identity.models import User
from modules.sales.services.quotes import update_quote


class QuoteUpdate(RecordMutation):
    """Change the fields sent in ``input`` of a draft quote you can see; totals follow."""

    class Arguments:
        id = graphene.ID(required=True)
        input = QuoteInput(required=True)

    quote = graphene.Field(QuoteType)
    errors = graphene.List(graphene.NonNull(error_type("QuoteUpdate")), required=True)

    module = "sales"
    permission = "sales.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        quote = resolve_reference(info, data["id"], QuoteType, "id")
        update_quote(quote, by=user, **quote_values(data["input"]))
        return {"quote": reloaded(QuoteType, info, quote)}
