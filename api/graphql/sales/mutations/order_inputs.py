"""Input objects of the order mutations; the order service says what is required."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.utils.translation import gettext as _

from api.graphql.contacts.types import CompanyType, ContactType
from api.graphql.core import MutationFailed, input_values
from api.graphql.identity.types import UserType
from api.graphql.sales.mutations.inputs import finite_numbers
from api.graphql.sales.types import DealType, ProductType
from customization.fields.choices import Entity


class OrderLineInput(graphene.InputObjectType):
    """A line's values: a product fills the description, price (its own, in the order's currency) and
    tax rate left empty. A change sets only the values sent."""

    product = graphene.ID(description="An active Product id.")
    description = graphene.String()
    quantity = graphene.Decimal(description="1 when not given.")
    unit_price = graphene.Decimal()
    discount_percent = graphene.Decimal(description="Line discount in %, 0 to 100.")
    tax_rate = graphene.Decimal(description="In %, 0 to 100.")


class OrderInput(graphene.InputObjectType):
    custom_fields_entity: ClassVar[str] = Entity.ORDER  # ``custom`` in the tenant's schema

    company = graphene.ID(description="A Company id; an order has a company, a contact or both.")
    contact = graphene.ID(description="A Contact id.")
    deal = graphene.ID(description="A Deal id.")
    owner = graphene.ID(description="A User id; the signed-in user when creating without one.")
    currency = graphene.String(description="ISO 4217 code; the tenant's base currency when not given.")
    ordered_on = graphene.Date(description="Today when not given.")
    discount_percent = graphene.Decimal(description="Whole-order discount in %, 0 to 100.")
    notes = graphene.String()
    lines = graphene.List(graphene.NonNull(OrderLineInput), description="On orderCreate only; then orderLine*.")


def order_line_values(info: Any, data: Any) -> dict[str, Any]:
    """Line service keyword arguments; only active products."""
    values = finite_numbers(input_values(data, references={"product": ProductType}, info=info))
    product = values.get("product")
    if product is not None and not product.is_active:
        raise MutationFailed("product", _("This product is no longer offered."), "INVALID")
    if values.get("description") is None:
        values.pop("description", None)
    return values


def order_values(info: Any, data: Any) -> dict[str, Any]:
    """Order service keyword arguments: ids become visible records, lines their values."""
    lines = dict(data or {}).get("lines")
    references = {"owner": UserType, "company": CompanyType, "contact": ContactType, "deal": DealType}
    values = finite_numbers(input_values({k: v for k, v in dict(data or {}).items() if k != "lines"},
                                         references=references, info=info))  # fmt: skip
    if "notes" in values and values["notes"] is None:
        values["notes"] = ""
    if lines is not None:
        values["lines"] = [order_line_values(info, line) for line in lines]
    return values
