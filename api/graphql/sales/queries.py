"""Sales' root fields: leads, deals, pipelines, lost reasons, products and quotes."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Q, QuerySet

from api.entities import DEAL, LEAD, ORDER
from api.entities.graphql import connection_arguments, filter_records, order_by_enum
from api.graphql.core import ConnectionField, enum_value, id_argument, order_records, ordering_enum
from api.graphql.custom_fields.connections import CustomFieldsConnectionField
from api.graphql.sales.orders import OrderType
from api.graphql.sales.quotes import QuoteStatusEnum, QuoteType
from api.graphql.sales.types import (
    DealType,
    LeadType,
    LostReasonType,
    PipelineType,
    ProductType,
)
from modules.sales.models import Deal, Lead, LostReason, Order, Pipeline, Product, Quote

LeadOrderBy = order_by_enum(LEAD)
DealOrderBy = order_by_enum(DEAL)
QuoteOrderBy = ordering_enum("QuoteOrderBy", {"NUMBER": "number", "CREATED_AT": "created_at", "TOTAL": "total"})


def by_owner(queryset: QuerySet[Any], owner: str | None) -> QuerySet[Any]:
    return queryset if owner is None else queryset.filter(owner_id=id_argument(owner, "User", "owner"))


class SalesQueries(graphene.ObjectType):
    leads = CustomFieldsConnectionField(
        LeadType,
        entity=LEAD.custom_entity,
        **connection_arguments(LEAD),
        description="Leads you can see (sales module).",
    )
    deals = CustomFieldsConnectionField(
        DealType,
        entity=DEAL.custom_entity,
        **connection_arguments(DEAL),
        description="Deals you can see (sales module).",
    )
    pipelines = ConnectionField(
        PipelineType, include_archived=graphene.Boolean(default_value=False), description="In their order."
    )
    lost_reasons = ConnectionField(LostReasonType, description="Active ones, in their order.")
    products = ConnectionField(
        ProductType,
        is_active=graphene.Boolean(),
        search=graphene.String(description="Part of the name or SKU."),
        description="The catalogue, by name.",
    )
    quotes = ConnectionField(
        QuoteType,
        status=graphene.Argument(QuoteStatusEnum),
        deal=graphene.ID(description="A Deal id."),
        company=graphene.ID(description="A Company id."),
        owner=graphene.ID(description="A User id."),
        order_by=graphene.Argument(QuoteOrderBy, description="Id order when not given."),
        description="Quotes you can see (sales module).",
    )
    orders = CustomFieldsConnectionField(
        OrderType,
        entity=ORDER.custom_entity,
        **connection_arguments(ORDER),
        description="Orders you can see (sales module).",
    )

    # Each resolver's queryset passes through its type's get_queryset (module, permission, visibility, prefetching).

    def resolve_leads(self, info: Any, **args: Any) -> QuerySet[Lead]:
        return filter_records(LEAD, Lead.objects.all(), args)

    def resolve_deals(self, info: Any, **args: Any) -> QuerySet[Deal]:
        return filter_records(DEAL, Deal.objects.all(), args)

    def resolve_pipelines(self, info: Any, include_archived: bool = False, **_pagination: Any) -> QuerySet[Pipeline]:
        queryset = Pipeline.objects.order_by("position", "id")
        return queryset if include_archived else queryset.filter(is_archived=False)

    def resolve_lost_reasons(self, info: Any, **_pagination: Any) -> QuerySet[LostReason]:
        return LostReason.objects.filter(is_active=True).order_by("position", "name", "id")

    def resolve_products(
        self, info: Any, is_active: bool | None = None, search: str | None = None, **_pagination: Any
    ) -> QuerySet[Product]:
        queryset = Product.objects.order_by("name", "id")
        if is_active is not None:
            queryset = queryset.filter(is_active=is_active)
        if search and search.strip():
            queryset = queryset.filter(Q(name__icontains=search.strip()) | Q(sku__iexact=search.strip()))
        return queryset

    def resolve_quotes(self, info: Any, **args: Any) -> QuerySet[Quote]:
        queryset = by_owner(Quote.objects.all(), args.get("owner"))
        if args.get("status") is not None:
            queryset = queryset.filter(status=enum_value(args["status"]))
        for name, type_name in (("deal", "Deal"), ("company", "Company")):
            if args.get(name) is not None:
                queryset = queryset.filter(**{f"{name}_id": id_argument(args[name], type_name, name)})
        return order_records(queryset, args.get("order_by"))

    def resolve_orders(self, info: Any, **args: Any) -> QuerySet[Order]:
        return filter_records(ORDER, Order.objects.all(), args)
