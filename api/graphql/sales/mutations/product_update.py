from __future__ import annotations

from typing import Any

import graphene

from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from api.graphql.sales.mutations.inputs import ProductInput, product_values
from api.graphql.sales.types import ProductType
from identity.models import User
from modules.sales.services.catalog import update_product


class ProductUpdate(RecordMutation):
    """Change the fields sent in ``input`` of a product (needs ``sales.manage_catalog``); products are
    never deleted, ``isActive: false`` retires one."""

    class Arguments:
        id = graphene.ID(required=True)
        input = ProductInput(required=True)

    product = graphene.Field(ProductType)
    errors = graphene.List(graphene.NonNull(error_type("ProductUpdate")), required=True)

    module = "sales"
    permission = "sales.manage_catalog"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        product = resolve_reference(info, data["id"], ProductType, "id")
        update_product(product, **product_values(data["input"]))
        return {"product": reloaded(ProductType, info, product)}
