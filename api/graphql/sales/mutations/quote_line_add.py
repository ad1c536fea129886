from __future__ import annotations

from typing import Any

import graphene

from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from api.graphql.sales.mutations.inputs import QuoteLineInput, quote_line_values
from api.graphql.sales.quotes import QuoteLineType, QuoteType
from identity.models import User
from modules.sales.services.quotes import add_line


class QuoteLineAdd(RecordMutation):
    """Add a line at the end of a draft quote you can see; totals follow."""

    class Arguments:
        quote = graphene.ID(required=True)
        input = QuoteLineInput(required=True)

    line = graphene.Field(QuoteLineType)
    quote = graphene.Field(QuoteType)
    errors = graphene.List(graphene.NonNull(error_type("QuoteLineAdd")), required=True)

    module = "sales"
    permission = "sales.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        quote = resolve_reference(info, data["quote"], QuoteType, "quote")
        line = add_line(quote, by=user, **quote_line_values(info, data["input"]))
        return {"line": reloaded(QuoteLineType, info, line), "quote": reloaded(QuoteType, info, quote)}
