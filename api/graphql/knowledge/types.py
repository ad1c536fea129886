"""GraphQL types of the knowledge base: ``Article`` (fields from the entity description) and
``KnowledgeCategory``. Service is optional per tenant: while it is not in the plan, the root fields,
mutations and node lookups answer MODULE_NOT_IN_PLAN."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.db.models import Model, QuerySet
from graphene_django import DjangoObjectType

from api.entities import ARTICLE
from api.entities.graphql import choice_enum, describe_fields, type_fields
from api.graphql.core import CountableConnection, Node, choice_field, module_enabled, require_module, require_permission
from modules.service.knowledge.choices import ArticleStatus, Visibility
from modules.service.knowledge.models import Article, KnowledgeCategory

ArticleStatusEnum = choice_enum(ArticleStatus, "Draft, published (readers see it) or archived.")
VisibilityEnum = choice_enum(Visibility, "Internal (staff only) or public (also the customer portal).")


def knowledge_queryset(info: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Service in the plan and ``service.view``; without ``service.change`` published articles only."""
    require_module(info, "service")
    user = require_permission(info, "service.view")
    if queryset.model is Article and not user.has_perm("service.change"):
        queryset = queryset.filter(status=ArticleStatus.PUBLISHED)
    return queryset


class KnowledgeType(DjangoObjectType):
    plan_module: ClassVar[str] = "service"

    class Meta:
        abstract = True

    @classmethod
    def get_node(cls, info: Any, id: str) -> Model | None:
        if not module_enabled(info, "service") or not id.isdigit():
            return None
        return cls.get_queryset(cls._meta.model.objects.all(), info).filter(pk=int(id)).first()  # type: ignore[no-any-return]


class KnowledgeCategoryType(KnowledgeType):
    """A section of the knowledge base, in ``position`` order, possibly under a parent."""

    class Meta:
        model = KnowledgeCategory
        name = "KnowledgeCategory"
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = ("name", "description", "parent", "position")

    @classmethod
    def get_queryset(cls, queryset: QuerySet[KnowledgeCategory], info: Any) -> QuerySet[KnowledgeCategory]:
        return knowledge_queryset(info, queryset)


class ArticleType(KnowledgeType):
    """A knowledge-base article in one language: ``draftTitle``/``draftBody`` are being written,
    ``title``/``body`` are what readers see."""

    status = choice_field(ArticleStatusEnum, "status")
    visibility = choice_field(VisibilityEnum, "visibility")
    category = graphene.Field(KnowledgeCategoryType)
    translation_group = graphene.String(required=True)

    class Meta:
        model = Article
        name = ARTICLE.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(ARTICLE)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Article], info: Any) -> QuerySet[Article]:
        return knowledge_queryset(info, queryset).select_related("category")

    @staticmethod
    def resolve_translation_group(root: Article, info: Any) -> str:
        return str(root.translation_group)


describe_fields(ArticleType, ARTICLE)
