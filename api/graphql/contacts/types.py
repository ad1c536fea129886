"""GraphQL types of the customer record: companies, contacts, tags and the timeline."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.db.models import Prefetch, QuerySet
from graphene.types.generic import GenericScalar
from graphene_django import DjangoObjectType

from api.entities import COMPANY, CONTACT
from api.entities.graphql import choice_enum, describe_fields, type_fields
from api.graphql.collaboration.types import CollaborationResolvers, files_field, followers_field, notes_field
from api.graphql.core import (
    CountableConnection,
    Node,
    batched_tags,
    choice_field,
    enum_from_choices,
    nested_connection,
    require_permission,
    require_user,
    visible_link,
)
from api.graphql.identity.types import UserType
from api.graphql.marketing.touch_links import CampaignTouchLinks, campaign_touches_field
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.contacts.choices import LifecycleStage, Source, TimelineKind
from modules.contacts.models import Company, Contact, Tag, TimelineEntry

LifecycleStageEnum = choice_enum(LifecycleStage, "Where a record stands in the relationship.")
SourceEnum = choice_enum(Source, "How a record first reached us.")
TimelineKindEnum = enum_from_choices("TimelineKind", TimelineKind, "What happened.")


def visible_companies(user: User) -> QuerySet[Company]:
    return restrict_to_visible(Company.objects.all(), user).select_related("owner")


def visible_contacts(user: User) -> QuerySet[Contact]:
    return restrict_to_visible(Contact.objects.all(), user).select_related("owner")


def ordered_tags() -> Prefetch:
    return Prefetch("tags", queryset=Tag.objects.order_by("name"))


class TimelineEntryType(DjangoObjectType):
    """One thing that happened to a record: who, what, when. ``data`` holds the details by kind."""

    kind = choice_field(TimelineKindEnum, "kind")
    actor = graphene.Field(UserType)
    data = GenericScalar(required=True, description="Details by kind, e.g. {changes: [{field, old, new}]}.")

    class Meta:
        model = TimelineEntry
        name = "TimelineEntry"
        fields = ("id", "kind", "occurred_at", "actor", "data")

    @staticmethod
    def resolve_actor(root: TimelineEntry, info: Any) -> User | None:
        return root.actor  # select_related by the timeline resolver


class TimelineConnection(CountableConnection):
    class Meta:
        node = TimelineEntryType


def timeline_field() -> graphene.relay.ConnectionField:
    return graphene.relay.ConnectionField(TimelineConnection, description="What happened to the record, newest first.")


def resolve_timeline(info: Any, link: str, pk: int, args: dict[str, Any]) -> Any:
    """The record's timeline page; the first pages of all records of a list load in one query."""
    require_user(info)
    queryset = TimelineEntry.objects.select_related("actor").order_by("-occurred_at", "-id")
    return nested_connection(info, TimelineConnection, queryset, link, pk, args)


class TagType(DjangoObjectType):
    """A free label on companies, contacts, leads and deals."""

    class Meta:
        model = Tag
        name = "Tag"
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = ("name", "color")

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Tag], info: Any) -> QuerySet[Tag]:
        require_permission(info, "contacts.view")
        return queryset

    @classmethod
    def get_node(cls, info: Any, id: str) -> Tag | None:
        queryset = cls.get_queryset(Tag.objects.all(), info)
        return queryset.filter(pk=int(id)).first() if id.isdigit() else None


class RecordType(CollaborationResolvers, DjangoObjectType):
    """What companies and contacts share: owner, tags, choices as enums, the timeline, notes, files
    and followers."""

    owner = graphene.Field(UserType)
    tags = graphene.List(graphene.NonNull(TagType), required=True)
    lifecycle_stage = choice_field(LifecycleStageEnum, "lifecycle_stage")
    source = choice_field(SourceEnum, "source", required=False, description="Null when not known.")
    timeline = timeline_field()
    record_notes = notes_field()
    files = files_field()
    followers = followers_field()

    class Meta:
        abstract = True

    @staticmethod
    def resolve_owner(root: Any, info: Any) -> User | None:
        return root.owner  # select_related by get_queryset

    @staticmethod
    def resolve_tags(root: Any, info: Any) -> list[Tag]:
        return batched_tags(info, root)  # prefetched by get_queryset, else batched


class CompanyType(RecordType):
    """An organisation we sell to or serve."""

    custom_fields_entity: ClassVar[str] = COMPANY.custom_entity  # ``custom`` in the tenant's schema

    class Meta:
        model = Company
        name = COMPANY.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = type_fields(COMPANY)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Company], info: Any) -> QuerySet[Company]:
        user = require_permission(info, COMPANY.permission("view"))
        return restrict_to_visible(queryset, user).select_related("owner").prefetch_related(ordered_tags())

    @classmethod
    def get_node(cls, info: Any, id: str) -> Company | None:
        queryset = cls.get_queryset(Company.objects.all(), info)
        return queryset.filter(pk=int(id)).first() if id.isdigit() else None

    @staticmethod
    def resolve_timeline(root: Company, info: Any, **args: Any) -> Any:
        return resolve_timeline(info, "company", root.pk, args)


class ContactType(CampaignTouchLinks, RecordType):
    """A person, optionally working at a company."""

    company = graphene.Field(CompanyType, description="Null when none, or not one you can see.")
    campaign_touches = campaign_touches_field()

    custom_fields_entity: ClassVar[str] = CONTACT.custom_entity  # ``custom`` in the tenant's schema

    class Meta:
        model = Contact
        name = CONTACT.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = type_fields(CONTACT)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Contact], info: Any) -> QuerySet[Contact]:
        user = require_permission(info, CONTACT.permission("view"))
        return (
            restrict_to_visible(queryset, user)
            .select_related("owner")
            .prefetch_related(
                ordered_tags(),
                Prefetch("company", queryset=visible_companies(user).prefetch_related(ordered_tags())),
            )
        )

    @classmethod
    def get_node(cls, info: Any, id: str) -> Contact | None:
        queryset = cls.get_queryset(Contact.objects.all(), info)
        return queryset.filter(pk=int(id)).first() if id.isdigit() else None

    @staticmethod
    def resolve_company(root: Contact, info: Any) -> Company | None:
        return visible_link(root, info, "company", CompanyType)

    @staticmethod
    def resolve_timeline(root: Contact, info: Any, **args: Any) -> Any:
        return resolve_timeline(info, "contact", root.pk, args)


describe_fields(CompanyType, COMPANY)
describe_fields(ContactType, CONTACT)
