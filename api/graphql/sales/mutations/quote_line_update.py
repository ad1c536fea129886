from __future__ import annotations

from typing import Any

import graphene

from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from api.graphql.sales.mutations.inputs import QuoteLineInput, quote_line_values
from api.graphql.sales.quotes import QuoteLineType, QuoteType
from identity.models import User
from modules.sales.services.quotes import update_line


class QuoteLineUpdate(RecordMutation):
    """Replace all values of a line of a draft quote you can see (omitted ones as when adding); totals follow."""

    class Arguments:
        id = graphene.ID(required=True)
        input = QuoteLineInput(required=True)

    line = graphene.Field(QuoteLineType)
    quote = graphene.Field(QuoteType)
    errors = graphene.List(graphene.NonNull(error_type("QuoteLineUpdate")), required=True)

    module = "sales"
    permission = "sales.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        line = resolve_reference(info, data["id"], QuoteLineType, "id")
        update_line(line, by=user, **quote_line_values(info, data["input"]))
        return {"line": reloaded(QuoteLineType, info, line), "quote": reloaded(QuoteType, info, line.quote)}
