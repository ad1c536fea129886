from __future__ import annotations

from typing import Any

import graphene

from api.entities import ORDER
from api.graphql.core import RecordMutation, enum_value, error_type, reloaded, resolve_reference
from api.graphql.custom_fields.inputs import with_custom_values
from api.graphql.sales.mutations.order_inputs import OrderInput, order_values
from api.graphql.sales.orders import OrderStatusEnum, OrderType
from customization.fields.choices import Entity
from identity.models import User
from modules.sales.services.orders import delete_order, set_order_status, update_order


class OrderUpdate(RecordMutation):
    """Change the fields sent in ``input`` of an order you can see (currency and discount only while
    it is confirmed; lines through orderLineAdd / orderLineUpdate / orderLineRemove)."""

    class Arguments:
        id = graphene.ID(required=True)
        input = OrderInput(required=True)

    order = graphene.Field(OrderType)
    errors = graphene.List(graphene.NonNull(error_type("OrderUpdate")), required=True)

    module = ORDER.module
    permission = ORDER.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        order = resolve_reference(info, data["id"], OrderType, "id")
        update_order(order, by=user, **with_custom_values(info, Entity.ORDER, order_values(info, data["input"])))
        return {"order": reloaded(OrderType, info, order)}


class OrderSetStatus(RecordMutation):
    """Move an order you can see along CONFIRMED → FULFILLED → INVOICED → PAID, or to CANCELLED
    before it is paid; other moves are refused on ``status``."""

    class Arguments:
        id = graphene.ID(required=True)
        status = OrderStatusEnum(required=True)

    order = graphene.Field(OrderType)
    errors = graphene.List(graphene.NonNull(error_type("OrderSetStatus")), required=True)

    module = ORDER.module
    permission = ORDER.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        order = resolve_reference(info, data["id"], OrderType, "id")
        set_order_status(order, enum_value(data["status"]), by=user)
        return {"order": reloaded(OrderType, info, order)}


class OrderDelete(RecordMutation):
    """Delete an order you can see."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the order had.")
    errors = graphene.List(graphene.NonNull(error_type("OrderDelete")), required=True)

    module = ORDER.module
    permission = ORDER.permission("delete")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_order(resolve_reference(info, data["id"], OrderType, "id"), by=user)
        return {"deleted_id": data["id"]}
