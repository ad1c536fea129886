"""GraphQL types of orders: ``Order`` (fields from the entity description) with its ``OrderLine``s."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.db.models import Prefetch, QuerySet

from api.entities import ORDER
from api.entities.graphql import choice_enum, describe_fields, type_fields
from api.graphql.contacts.types import CompanyType, ContactType, visible_companies, visible_contacts
from api.graphql.core import CountableConnection, Node, choice_field, visible_link
from api.graphql.identity.types import UserType
from api.graphql.sales.types import DealType, ProductType, QuoteType, SalesType, sales_queryset, visible_deals
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.sales.choices import OrderStatus
from modules.sales.models import Order, OrderLine, Product, Quote

OrderStatusEnum = choice_enum(OrderStatus, "Confirmed → fulfilled → invoiced → paid, or cancelled.")


class OrderLineType(SalesType):
    """One line of an order; ``netAmount`` is after the line's discount, before the order's and tax."""

    product = graphene.Field(ProductType)

    class Meta:
        model = OrderLine
        name = "OrderLine"
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = (
            "position", "product", "description", "quantity", "unit_price", "discount_percent", "tax_rate",
            "net_amount",
        )  # fmt: skip

    @classmethod
    def get_queryset(cls, queryset: QuerySet[OrderLine], info: Any) -> QuerySet[OrderLine]:
        # A line is visible with its order.
        orders = sales_queryset(info, Order.objects.all(), owned=True)
        return queryset.filter(order__in=orders).select_related("product")

    @staticmethod
    def resolve_product(root: OrderLine, info: Any) -> Product | None:
        return root.product


class OrderType(SalesType):
    """What a customer bought; totals are kept by the order service."""

    status = choice_field(OrderStatusEnum, "status")
    company = graphene.Field(CompanyType)
    contact = graphene.Field(ContactType)
    deal = graphene.Field(DealType)
    quote = graphene.Field(QuoteType)
    owner = graphene.Field(UserType)
    lines = graphene.List(graphene.NonNull(OrderLineType), required=True, description="In order.")

    custom_fields_entity: ClassVar[str] = ORDER.custom_entity  # ``custom`` in the tenant's schema

    class Meta:
        model = Order
        name = ORDER.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(ORDER)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Order], info: Any) -> QuerySet[Order]:
        user = info.context.user
        lines = Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("position", "id"))
        return (
            sales_queryset(info, queryset, owned=True)
            .select_related("owner")
            .prefetch_related(
                lines,
                Prefetch("company", queryset=visible_companies(user)),
                Prefetch("contact", queryset=visible_contacts(user)),
                Prefetch("deal", queryset=visible_deals(user)),
                Prefetch("quote", queryset=restrict_to_visible(Quote.objects.all(), user)),
            )
        )

    @staticmethod
    def resolve_company(root: Order, info: Any) -> Any:
        return visible_link(root, info, "company", CompanyType)

    @staticmethod
    def resolve_contact(root: Order, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)

    @staticmethod
    def resolve_deal(root: Order, info: Any) -> Any:
        return visible_link(root, info, "deal", DealType)

    @staticmethod
    def resolve_quote(root: Order, info: Any) -> Any:
        return visible_link(root, info, "quote", QuoteType)

    @staticmethod
    def resolve_owner(root: Order, info: Any) -> User | None:
        return root.owner

    @staticmethod
    def resolve_lines(root: Order, info: Any) -> list[OrderLine]:
        return list(root.lines.all())


describe_fields(OrderType, ORDER)
