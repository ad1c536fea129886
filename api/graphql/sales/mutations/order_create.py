from __future__ import annotations

from typing import Any

import graphene

from api.entities import ORDER
from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from api.graphql.custom_fields.inputs import with_custom_values
from api.graphql.sales.mutations.order_inputs import OrderInput, order_values
from api.graphql.sales.orders import OrderType
from api.graphql.sales.quotes import QuoteType
from customization.fields.choices import Entity
from identity.models import User
from modules.sales.services.orders import create_order, create_order_from_quote


class OrderCreate(RecordMutation):
    """Create a confirmed order with its lines (sales module)."""

    class Arguments:
        input = OrderInput(required=True)

    order = graphene.Field(OrderType, description="Null when the new order is not one you can see.")
    errors = graphene.List(graphene.NonNull(error_type("OrderCreate")), required=True)

    module = ORDER.module
    permission = ORDER.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        order = create_order(by=user, **with_custom_values(info, Entity.ORDER, order_values(info, data["input"])))
        return {"order": reloaded(OrderType, info, order)}


class OrderCreateFromQuote(RecordMutation):
    """The order of an accepted quote you can see: its customer, deal, currency and lines. A quote
    makes one order: asking again answers the order it already made."""

    class Arguments:
        quote = graphene.ID(required=True)

    order = graphene.Field(OrderType)
    errors = graphene.List(graphene.NonNull(error_type("OrderCreateFromQuote")), required=True)

    module = ORDER.module
    permission = ORDER.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        quote = resolve_reference(info, data["quote"], QuoteType, "quote")
        return {"order": reloaded(OrderType, info, create_order_from_quote(quote, by=user))}
