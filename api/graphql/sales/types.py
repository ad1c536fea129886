"""GraphQL types of sales: pipelines and stages, lost reasons, leads, deals, products (quotes are in
``quotes.py``, orders in ``orders.py``).

Sales is optional per tenant: while it is not in the tenant's plan, the root fields, mutations and
node lookups answer MODULE_NOT_IN_PLAN; links from other records (an activity's deal) are null.
"""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.db.models import Model, Prefetch, QuerySet
from graphene_django import DjangoObjectType

from api.entities import DEAL, LEAD
from api.entities.graphql import choice_enum, describe_fields, type_fields
from api.graphql.collaboration.types import CollaborationResolvers, files_field, followers_field, notes_field
from api.graphql.contacts.types import (
    CompanyType,
    ContactType,
    SourceEnum,
    TagType,
    ordered_tags,
    resolve_timeline,
    timeline_field,
    visible_companies,
    visible_contacts,
)
from api.graphql.core import (
    CountableConnection,
    Node,
    batched_tags,
    choice_field,
    enum_from_choices,
    module_enabled,
    require_module,
    require_permission,
    visible_link,
)
from api.graphql.identity.types import UserType
from api.graphql.marketing.touch_links import CampaignTouchLinks, campaign_touches_field
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.sales.choices import DealStatus, LeadStatus, StageKind
from modules.sales.models import Deal, Lead, LostReason, Pipeline, Product, Stage

StageKindEnum = enum_from_choices("StageKind", StageKind, "Open stages, and the stages that close a deal.")
DealStatusEnum = choice_enum(DealStatus)
LeadStatusEnum = choice_enum(LeadStatus)


def sales_queryset(info: Any, queryset: QuerySet[Any], *, owned: bool) -> QuerySet[Any]:
    """The checks every sales queryset passes: sales in the plan, ``sales.view``, record visibility."""
    require_module(info, "sales")
    user = require_permission(info, "sales.view")
    return restrict_to_visible(queryset, user) if owned else queryset


def sales_node(graphene_type: Any, info: Any, id: str) -> Model | None:
    """A sales record by primary key, or None (also while sales is not in the plan: links and
    references from other records then read as missing)."""
    if not module_enabled(info, "sales") or not id.isdigit():
        return None
    queryset = graphene_type.get_queryset(graphene_type._meta.model.objects.all(), info)
    return queryset.filter(pk=int(id)).first()  # type: ignore[no-any-return]


def visible_deals(user: User) -> QuerySet[Deal]:
    return restrict_to_visible(Deal.objects.all(), user).select_related("owner", "stage", "pipeline")


def visible_leads(user: User) -> QuerySet[Lead]:
    return restrict_to_visible(Lead.objects.all(), user).select_related("owner")


class SalesType(DjangoObjectType):
    plan_module: ClassVar[str] = "sales"

    class Meta:
        abstract = True

    @classmethod
    def get_node(cls, info: Any, id: str) -> Any:
        return sales_node(cls, info, id)


class StageType(SalesType):
    """A step of a pipeline: default win probability, required deal fields, rotting threshold."""

    kind = choice_field(StageKindEnum, "kind")
    required_fields = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        model = Stage
        name = "Stage"
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = ("name", "position", "kind", "probability", "required_fields", "rotting_days")

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Stage], info: Any) -> QuerySet[Stage]:
        return sales_queryset(info, queryset, owned=False)


class PipelineType(SalesType):
    """A sales process: ordered stages a deal moves through."""

    stages = graphene.List(graphene.NonNull(StageType), required=True, description="In order.")

    class Meta:
        model = Pipeline
        name = "Pipeline"
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = ("name", "position", "is_default", "is_archived", "stages")

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Pipeline], info: Any) -> QuerySet[Pipeline]:
        stages = Prefetch("stages", queryset=Stage.objects.order_by("position", "id"))
        return sales_queryset(info, queryset, owned=False).prefetch_related(stages)

    @staticmethod
    def resolve_stages(root: Pipeline, info: Any) -> list[Stage]:
        return list(root.stages.all())


class LostReasonType(SalesType):
    """Why deals are lost."""

    class Meta:
        model = LostReason
        name = "LostReason"
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = ("name", "position", "is_active")

    @classmethod
    def get_queryset(cls, queryset: QuerySet[LostReason], info: Any) -> QuerySet[LostReason]:
        return sales_queryset(info, queryset, owned=False)


class LeadType(CampaignTouchLinks, CollaborationResolvers, SalesType):
    """A prospect not yet qualified; once converted it points at the records it became."""

    owner = graphene.Field(UserType)
    tags = graphene.List(graphene.NonNull(TagType), required=True)
    status = choice_field(LeadStatusEnum, "status")
    source = choice_field(SourceEnum, "source", required=False)
    converted_by = graphene.Field(UserType, description="Who converted the lead.")
    converted_company = graphene.Field(CompanyType)
    converted_contact = graphene.Field(ContactType)
    converted_deal = graphene.Field(lambda: DealType)
    campaign_touches = campaign_touches_field()
    timeline = timeline_field()
    record_notes = notes_field()
    files = files_field()
    followers = followers_field()

    custom_fields_entity: ClassVar[str] = LEAD.custom_entity  # ``custom`` in the tenant's schema

    class Meta:
        model = Lead
        name = LEAD.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(LEAD)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Lead], info: Any) -> QuerySet[Lead]:
        user = info.context.user
        return (
            sales_queryset(info, queryset, owned=True)
            .select_related("owner", "converted_by")
            .prefetch_related(
                ordered_tags(),
                Prefetch("converted_company", queryset=visible_companies(user)),
                Prefetch("converted_contact", queryset=visible_contacts(user)),
                Prefetch("converted_deal", queryset=visible_deals(user)),
            )
        )

    @staticmethod
    def resolve_owner(root: Lead, info: Any) -> User | None:
        return root.owner

    @staticmethod
    def resolve_tags(root: Lead, info: Any) -> list[Any]:
        return batched_tags(info, root)

    @staticmethod
    def resolve_converted_by(root: Lead, info: Any) -> User | None:
        return root.converted_by

    @staticmethod
    def resolve_converted_company(root: Lead, info: Any) -> Any:
        return visible_link(root, info, "converted_company", CompanyType)

    @staticmethod
    def resolve_converted_contact(root: Lead, info: Any) -> Any:
        return visible_link(root, info, "converted_contact", ContactType)

    @staticmethod
    def resolve_converted_deal(root: Lead, info: Any) -> Any:
        return visible_link(root, info, "converted_deal", DealType)

    @staticmethod
    def resolve_timeline(root: Lead, info: Any, **args: Any) -> Any:
        return resolve_timeline(info, "lead", root.pk, args)


class DealType(CampaignTouchLinks, CollaborationResolvers, SalesType):
    """An opportunity moving through the stages of one pipeline until won or lost."""

    pipeline = graphene.Field(PipelineType, required=True)
    stage = graphene.Field(StageType, required=True)
    status = choice_field(DealStatusEnum, "status")
    owner = graphene.Field(UserType)
    company = graphene.Field(CompanyType)
    contact = graphene.Field(ContactType)
    lead = graphene.Field(LeadType)
    tags = graphene.List(graphene.NonNull(TagType), required=True)
    lost_reason = graphene.Field(LostReasonType)
    effective_probability = graphene.Int(required=True, description="The deal's or else its stage's, in %.")
    weighted_amount = graphene.Decimal(required=True, description="Amount × effective probability.")
    is_rotting = graphene.Boolean(required=True, description="Open and idle longer than its stage allows.")
    campaign_touches = campaign_touches_field()
    timeline = timeline_field()
    record_notes = notes_field()
    files = files_field()
    followers = followers_field()

    custom_fields_entity: ClassVar[str] = DEAL.custom_entity  # ``custom`` in the tenant's schema

    class Meta:
        model = Deal
        name = DEAL.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(DEAL)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Deal], info: Any) -> QuerySet[Deal]:
        user = info.context.user
        return (
            sales_queryset(info, queryset, owned=True)
            .select_related("owner", "pipeline", "stage", "lost_reason")
            .prefetch_related(
                ordered_tags(),
                Prefetch("company", queryset=visible_companies(user)),
                Prefetch("contact", queryset=visible_contacts(user)),
                Prefetch("lead", queryset=visible_leads(user)),
            )
        )

    @staticmethod
    def resolve_pipeline(root: Deal, info: Any) -> Pipeline:
        return root.pipeline

    @staticmethod
    def resolve_stage(root: Deal, info: Any) -> Stage:
        return root.stage

    @staticmethod
    def resolve_owner(root: Deal, info: Any) -> User | None:
        return root.owner

    @staticmethod
    def resolve_company(root: Deal, info: Any) -> Any:
        return visible_link(root, info, "company", CompanyType)

    @staticmethod
    def resolve_contact(root: Deal, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)

    @staticmethod
    def resolve_lead(root: Deal, info: Any) -> Any:
        return visible_link(root, info, "lead", LeadType)

    @staticmethod
    def resolve_tags(root: Deal, info: Any) -> list[Any]:
        return batched_tags(info, root)

    @staticmethod
    def resolve_lost_reason(root: Deal, info: Any) -> LostReason | None:
        return root.lost_reason

    @staticmethod
    def resolve_effective_probability(root: Deal, info: Any) -> int:
        return root.effective_probability

    @staticmethod
    def resolve_weighted_amount(root: Deal, info: Any) -> Any:
        return root.weighted_amount

    @staticmethod
    def resolve_is_rotting(root: Deal, info: Any) -> bool:
        return root.is_rotting()

    @staticmethod
    def resolve_timeline(root: Deal, info: Any, **args: Any) -> Any:
        return resolve_timeline(info, "deal", root.pk, args)


describe_fields(LeadType, LEAD)
describe_fields(DealType, DEAL)


class ProductType(SalesType):
    """Something the tenant sells, with its list price and tax rate."""

    class Meta:
        model = Product
        name = "Product"
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("name", "sku", "description", "unit", "unit_price", "currency", "tax_rate", "is_active", "created_at")

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Product], info: Any) -> QuerySet[Product]:
        return sales_queryset(info, queryset, owned=False)
