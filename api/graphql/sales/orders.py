"""GraphQL types of orders: ``Order`` (fields from the entity description) with its ``OrderLine``s."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.db.models import Prefetch, QuerySet

from api.entities import ORDER
from api.entities.graphql import choice_enum, describe_fields, type_fields
from api.graphql.collaboration.types import CollaborationResolvers, files_field, followers_field, notes_field
from api.graphql.contacts.types import CompanyType, ContactType, resolve_timeline, timeline_field
from api.graphql.core import CountableConnection, Node, choice_field, visible_link
from api.graphql.identity.types import UserType
from api.graphql.sales.quotes import PricedDocumentType, PricedLineType, QuoteType
from api.graphql.sales.types import DealType, visible_deals
from identity.visibility import restrict_to_visible
from modules.sales.choices import OrderStatus
from modules.sales.models import Order, OrderLine, Quote

OrderStatusEnum = choice_enum(OrderStatus, "Confirmed → fulfilled → invoiced → paid, or cancelled.")


class OrderLineType(PricedLineType):
    """One line of an order; ``netAmount`` is after the line's discount, before the order's and tax."""

    document_field = "order"
    document_model = Order

    class Meta:
        model = OrderLine
        name = "OrderLine"
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = (*PricedLineType.FIELDS, "net_amount")


class OrderType(CollaborationResolvers, PricedDocumentType):
    """What a customer bought; totals are kept by the order service."""

    status = choice_field(OrderStatusEnum, "status")
    company = graphene.Field(CompanyType)
    contact = graphene.Field(ContactType)
    deal = graphene.Field(DealType)
    quote = graphene.Field(QuoteType)
    owner = graphene.Field(UserType)
    lines = graphene.List(graphene.NonNull(OrderLineType), required=True, description="In order.")
    timeline = timeline_field()
    record_notes = notes_field()
    files = files_field()
    followers = followers_field()

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
        return cls.documents_queryset(info, queryset, OrderLine).prefetch_related(
            Prefetch("deal", queryset=visible_deals(user)),
            Prefetch("quote", queryset=restrict_to_visible(Quote.objects.all(), user)),
        )

    @staticmethod
    def resolve_deal(root: Order, info: Any) -> Any:
        return visible_link(root, info, "deal", DealType)

    @staticmethod
    def resolve_quote(root: Order, info: Any) -> Any:
        return visible_link(root, info, "quote", QuoteType)

    @staticmethod
    def resolve_timeline(root: Order, info: Any, **args: Any) -> Any:
        return resolve_timeline(info, "order", root.pk, args)


describe_fields(OrderType, ORDER)
