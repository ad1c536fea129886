from __future__ import annotations

from typing import Any

import graphene

from api.graphql.core import RecordMutation, enum_value, error_type, reloaded, resolve_reference
from api.graphql.sales.quotes import QuoteStatusEnum, QuoteType
from identity.models import User
from modules.sales.services.quotes import set_status


class QuoteSetStatus(RecordMutation):
    """Move a quote you can see along DRAFT → SENT → ACCEPTED / DECLINED (a sent quote may go back to
    DRAFT); a quote is sent only with at least one line."""

    class Arguments:
        id = graphene.ID(required=True)
        status = QuoteStatusEnum(required=True)

    quote = graphene.Field(QuoteType)
    errors = graphene.List(graphene.NonNull(error_type("QuoteSetStatus")), required=True)

    module = "sales"
    permission = "sales.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        quote = resolve_reference(info, data["id"], QuoteType, "id")
        set_status(quote, enum_value(data["status"]), by=user)
        return {"quote": reloaded(QuoteType, info, quote)}
