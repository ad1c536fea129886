from __future__ import annotations

from typing import Any

import graphene

from api.graphql.core import RecordMutation, error_type, reloaded
from api.graphql.sales.mutations.inputs import ProductInput, product_values
from api.graphql.sales.types import ProductType
from identity.models import User
from modules.sales.services.catalog import create_product


class ProductCreate(RecordMutation):
    """Add a product to the catalogue (needs ``sales.manage_catalog``)."""

    class Arguments:
        input = ProductInput(required=True)

    product = graphene.Field(ProductType)
    errors = graphene.List(graphene.NonNull(error_type("ProductCreate")), required=True)

    module = "sales"
    permission = "sales.manage_catalog"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        product = create_product(**product_values(data["input"]))
        return {"product": reloaded(ProductType, info, product)}
