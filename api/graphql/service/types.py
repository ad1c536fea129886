"""GraphQL types of the service module: ``Case`` (fields from the entity description) with its
``messages`` (a connection, oldest first) and their attachments, and the tenant's ``CaseStatus``
and ``CaseCategory`` rows.

Service is optional per tenant: while it is not in the tenant's plan, the root fields, mutations
and node lookups answer MODULE_NOT_IN_PLAN; links from other records are null. A caller sees the
cases ``visible_cases`` gives (their owners' within the role's visibility, plus the unassigned
cases of their queues), and a message or attachment with its case.
"""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.db.models import Model, Prefetch, QuerySet
from graphene_django import DjangoObjectType

from api.entities import CASE
from api.entities.graphql import choice_enum, describe_fields, type_fields
from api.graphql.contacts.types import CompanyType, ContactType, visible_companies, visible_contacts
from api.graphql.core import (
    CountableConnection,
    Node,
    choice_field,
    module_enabled,
    nested_connection,
    require_module,
    require_permission,
    visible_link,
)
from api.graphql.identity.types import TeamType, UserType
from api.graphql.sales.orders import OrderType
from api.graphql.sales.types import DealType, ProductType, visible_deals
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.sales.models import Order
from modules.service.choices import CaseChannel, CasePriority, MessageAuthor, MessageKind, StatusCategory
from modules.service.models import Case, CaseAttachment, CaseCategory, CaseMessage, CaseStatus
from modules.service.selectors.cases import visible_cases

StatusCategoryEnum = choice_enum(StatusCategory, "What a status means: SLA clocks pause in PENDING and ON_HOLD.")
CaseChannelEnum = choice_enum(CaseChannel, "How a case or message came in.")
CasePriorityEnum = choice_enum(CasePriority)
MessageKindEnum = choice_enum(MessageKind, "A public reply the customer sees, or an internal note.")
MessageAuthorEnum = choice_enum(MessageAuthor)


def service_queryset(info: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The checks every service queryset passes: service in the plan and ``service.view``."""
    require_module(info, "service")
    require_permission(info, "service.view")
    return queryset


def visible_case_rows(info: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Case]:
    """The caller's visible cases (after the module and permission checks)."""
    require_module(info, "service")
    return visible_cases(require_permission(info, "service.view"), queryset)


class ServiceType(DjangoObjectType):
    plan_module: ClassVar[str] = "service"

    class Meta:
        abstract = True

    @classmethod
    def get_node(cls, info: Any, id: str) -> Model | None:
        """A service record by primary key, or None (also while service is not in the plan: links and
        references from other records then read as missing)."""
        if not module_enabled(info, "service") or not id.isdigit():
            return None
        queryset = cls.get_queryset(cls._meta.model.objects.all(), info)
        return queryset.filter(pk=int(id)).first()  # type: ignore[no-any-return]


class CaseStatusType(ServiceType):
    """One of the tenant's case statuses, in a fixed category."""

    category = choice_field(StatusCategoryEnum, "category")

    class Meta:
        model = CaseStatus
        name = "CaseStatus"
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("key", "label", "category", "position", "is_active")

    @classmethod
    def get_queryset(cls, queryset: QuerySet[CaseStatus], info: Any) -> QuerySet[CaseStatus]:
        return service_queryset(info, queryset)


class CaseCategoryType(ServiceType):
    """What cases are about (billing, technical, returns…)."""

    class Meta:
        model = CaseCategory
        name = "CaseCategory"
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = ("name", "is_active")

    @classmethod
    def get_queryset(cls, queryset: QuerySet[CaseCategory], info: Any) -> QuerySet[CaseCategory]:
        return service_queryset(info, queryset)


class CaseAttachmentType(ServiceType):
    """A file sent with a message; its bytes are served at ``downloadUrl`` to callers who may see the case."""

    download_url = graphene.String(required=True, description="The API path that serves the file.")

    class Meta:
        model = CaseAttachment
        name = "CaseAttachment"
        interfaces = (Node,)
        fields = ("name", "content_type", "size", "created_at")

    @classmethod
    def get_queryset(cls, queryset: QuerySet[CaseAttachment], info: Any) -> QuerySet[CaseAttachment]:
        cases = visible_case_rows(info)
        return queryset.filter(message__case__in=cases.values("pk")).select_related("message")

    @staticmethod
    def resolve_download_url(root: CaseAttachment, info: Any) -> str:
        message = root.message
        return f"/api/v1/cases/{message.case_id}/messages/{message.pk}/attachments/{root.pk}/download/"


class CaseMessageType(ServiceType):
    """A message of a case's conversation: a public reply or an internal note."""

    kind = choice_field(MessageKindEnum, "kind")
    author_kind = choice_field(MessageAuthorEnum, "author_kind")
    channel = choice_field(CaseChannelEnum, "channel")
    author = graphene.Field(UserType, description="The agent who wrote it (null for a customer or the system).")
    contact = graphene.Field(ContactType, description="The customer who wrote it, if you can see the contact.")
    to_addresses = graphene.List(graphene.NonNull(graphene.String), required=True)
    cc_addresses = graphene.List(graphene.NonNull(graphene.String), required=True)
    attachments = graphene.List(graphene.NonNull(CaseAttachmentType), required=True)

    class Meta:
        model = CaseMessage
        name = "CaseMessage"
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "kind", "author_kind", "author", "contact", "channel", "from_address", "to_addresses", "cc_addresses",
            "subject", "body_text", "body_html", "message_id", "in_reply_to", "created_at", "attachments",
        )  # fmt: skip

    @classmethod
    def get_queryset(cls, queryset: QuerySet[CaseMessage], info: Any) -> QuerySet[CaseMessage]:
        cases = visible_case_rows(info)
        return message_rows(queryset.filter(case__in=cases.values("pk")), info.context.user)

    @staticmethod
    def resolve_author(root: CaseMessage, info: Any) -> User | None:
        return root.author  # type: ignore[no-any-return]

    @staticmethod
    def resolve_contact(root: CaseMessage, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)

    @staticmethod
    def resolve_attachments(root: CaseMessage, info: Any) -> list[CaseAttachment]:
        return list(root.attachments.all())


def message_rows(queryset: QuerySet[CaseMessage], user: User) -> QuerySet[CaseMessage]:
    """Messages with their author, visible contact and attachments loaded."""
    attachments = CaseAttachment.objects.select_related("message").order_by("created_at", "id")
    return queryset.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=attachments), Prefetch("contact", queryset=visible_contacts(user))
    )


class CaseMessageConnection(CountableConnection):
    class Meta:
        node = CaseMessageType


class CaseType(ServiceType):
    """A customer's request: numbered, in a queue, owned by an agent, moving through the statuses."""

    channel = choice_field(CaseChannelEnum, "channel")
    priority = choice_field(CasePriorityEnum, "priority")
    contact = graphene.Field(ContactType)
    company = graphene.Field(CompanyType)
    status = graphene.Field(CaseStatusType, required=True)
    category = graphene.Field(CaseCategoryType)
    team = graphene.Field(TeamType)
    owner = graphene.Field(UserType)
    deal = graphene.Field(DealType)
    order = graphene.Field(OrderType)
    product = graphene.Field(ProductType)
    merged_into = graphene.Field(lambda: CaseType)
    messages = graphene.relay.ConnectionField(CaseMessageConnection, description="The conversation, oldest first.")

    custom_fields_entity: ClassVar[str] = CASE.custom_entity  # ``custom`` in the tenant's schema

    class Meta:
        model = Case
        name = CASE.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(CASE)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Case], info: Any) -> QuerySet[Case]:
        user = info.context.user
        return (
            visible_case_rows(info, queryset)
            .select_related("status", "category", "team", "owner", "product")
            .prefetch_related(
                Prefetch("contact", queryset=visible_contacts(user)),
                Prefetch("company", queryset=visible_companies(user)),
                Prefetch("deal", queryset=visible_deals(user)),
                Prefetch("order", queryset=restrict_to_visible(Order.objects.select_related("owner"), user)),
                Prefetch("merged_into", queryset=visible_cases(user)),
            )
        )

    @staticmethod
    def resolve_contact(root: Case, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)

    @staticmethod
    def resolve_company(root: Case, info: Any) -> Any:
        return visible_link(root, info, "company", CompanyType)

    @staticmethod
    def resolve_deal(root: Case, info: Any) -> Any:
        return visible_link(root, info, "deal", DealType)

    @staticmethod
    def resolve_order(root: Case, info: Any) -> Any:
        return visible_link(root, info, "order", OrderType)

    @staticmethod
    def resolve_merged_into(root: Case, info: Any) -> Any:
        return visible_link(root, info, "merged_into", CaseType)

    @staticmethod
    def resolve_messages(root: Case, info: Any, **args: Any) -> Any:
        queryset = message_rows(CaseMessage.objects.order_by("created_at", "id"), info.context.user)
        return nested_connection(info, CaseMessageConnection, queryset, "case", root.pk, args)


describe_fields(CaseType, CASE)
