"""The knowledge base's root fields: articles and categories."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet

from api.entities import ARTICLE
from api.entities.graphql import connection_arguments, filter_records
from api.graphql.core import ConnectionField
from api.graphql.knowledge.types import ArticleType, KnowledgeCategoryType
from modules.service.knowledge.models import Article, KnowledgeCategory


class KnowledgeQueries(graphene.ObjectType):
    articles = ConnectionField(
        ArticleType, **connection_arguments(ARTICLE), description="Knowledge-base articles (service module)."
    )
    knowledge_categories = ConnectionField(KnowledgeCategoryType, description="In their order.")

    # Each resolver's queryset passes through its type's get_queryset (module, permission).

    def resolve_articles(self, info: Any, **args: Any) -> QuerySet[Article]:
        return filter_records(ARTICLE, Article.objects.all(), args)

    def resolve_knowledge_categories(self, info: Any, **_pagination: Any) -> QuerySet[KnowledgeCategory]:
        return KnowledgeCategory.objects.order_by("position", "name", "id")
