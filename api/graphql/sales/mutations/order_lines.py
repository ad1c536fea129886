from __future__ import annotations

from typing import Any

import graphene

from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from api.graphql.sales.mutations.order_inputs import OrderLineInput, order_line_values
from api.graphql.sales.orders import OrderLineType, OrderType
from identity.models import User
from modules.sales.services.orders import add_order_line, remove_order_line, update_order_line


class OrderLineAdd(RecordMutation):
    """Add a line at the end of a confirmed order you can see; totals follow."""

    class Arguments:
        order = graphene.ID(required=True)
        input = OrderLineInput(required=True)

    line = graphene.Field(OrderLineType)
    order = graphene.Field(OrderType)
    errors = graphene.List(graphene.NonNull(error_type("OrderLineAdd")), required=True)

    module = "sales"
    permission = "sales.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        order = resolve_reference(info, data["order"], OrderType, "order")
        line = add_order_line(order, by=user, **order_line_values(info, data["input"]))
        return {"line": reloaded(OrderLineType, info, line), "order": reloaded(OrderType, info, order)}


class OrderLineUpdate(RecordMutation):
    """Change the values sent of a line of a confirmed order you can see; totals follow."""

    class Arguments:
        id = graphene.ID(required=True)
        input = OrderLineInput(required=True)

    line = graphene.Field(OrderLineType)
    order = graphene.Field(OrderType)
    errors = graphene.List(graphene.NonNull(error_type("OrderLineUpdate")), required=True)

    module = "sales"
    permission = "sales.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        line = resolve_reference(info, data["id"], OrderLineType, "id")
        update_order_line(line, by=user, **order_line_values(info, data["input"]))
        return {"line": reloaded(OrderLineType, info, line), "order": reloaded(OrderType, info, line.order)}


class OrderLineRemove(RecordMutation):
    """Remove a line of a confirmed order you can see; totals follow."""

    class Arguments:
        id = graphene.ID(required=True)

    order = graphene.Field(OrderType)
    errors = graphene.List(graphene.NonNull(error_type("OrderLineRemove")), required=True)

    module = "sales"
    permission = "sales.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        line = resolve_reference(info, data["id"], OrderLineType, "id")
        order = line.order
        remove_order_line(line, by=user)
        return {"order": reloaded(OrderType, info, order)}
