from __future__ import annotations

from typing import Any

import graphene

from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from api.graphql.sales.quotes import QuoteLineType, QuoteType
from identity.models import User
from modules.sales.services.quotes import remove_line


class QuoteLineRemove(RecordMutation):
    """Remove a line of a draft quote you can see (``sales.change``, as editing the quote); totals follow."""

    class Arguments:
        id = graphene.ID(required=True)

    removed_id = graphene.ID(description="The id the line had.")
    quote = graphene.Field(QuoteType)
    errors = graphene.List(graphene.NonNull(error_type("QuoteLineRemove")), required=True)

    module = "sales"
    permission = "sales.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        line = resolve_reference(info, data["id"], QuoteLineType, "id")
        quote = line.quote
        remove_line(line, by=user)
        return {"removed_id": data["id"], "quote": reloaded(QuoteType, info, quote)}
