"""REST endpoints of knowledge-base articles (service module): ``/api/v1/articles/`` from the entity
description, with ``POST <id>/publish/`` and ``POST <id>/archive/`` (``service.publish_articles``).
Readers without ``service.change`` see published articles only."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.entities import ARTICLE
from api.entities.rest import serializer_fields
from api.rest.records import RecordViewSet, RelatedByIdField, ServiceSerializer, acting_user
from modules.service.knowledge.choices import ArticleStatus, Visibility
from modules.service.knowledge.languages import article_languages
from modules.service.knowledge.models import Article, KnowledgeCategory
from modules.service.knowledge.services.articles import archive_article, publish_article


def category_summary(category: KnowledgeCategory | None) -> dict[str, Any] | None:
    return None if category is None else {"id": category.pk, "name": category.name}


class ArticleSerializer(ServiceSerializer):
    """An article: ``draft_title``/``draft_body`` are written, ``title``/``body`` are what readers see."""

    entity = ARTICLE
    category = RelatedByIdField(KnowledgeCategory, category_summary)
    language = serializers.ChoiceField(choices=article_languages())
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    draft_body = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = Article
        fields = serializer_fields(ARTICLE)
        read_only_fields = ARTICLE.read_only_names


ORDERING = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    description="Sort by a field (- for descending), ties by id.",
    enum=[value for item in ARTICLE.orderings for value in (item.name, f"-{item.name}")],
)


@extend_schema_view(list=extend_schema(parameters=[ORDERING]))
class ArticleViewSet(RecordViewSet):
    """Knowledge-base articles: filters and orderings below, ``fields=`` for fewer fields.
    ``POST <id>/publish/`` publishes the draft (a new version), ``POST <id>/archive/`` takes the
    article away from readers."""

    entity = ARTICLE
    serializer_class = ArticleSerializer
    action_permissions: ClassVar[dict[str, str]] = {"publish": "publish_articles", "archive": "publish_articles"}

    def get_queryset(self) -> QuerySet[Any]:
        articles = self.base_queryset()
        if not acting_user(self.request).has_perm("service.change"):
            articles = articles.filter(status=ArticleStatus.PUBLISHED)
        return articles

    def _article_response(self, pk: int) -> Response:
        return Response(ArticleSerializer(self.retrieve_fresh(pk), context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=ArticleSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish the draft: readers see it, and it is kept as the next version."""
        article = self.get_object()
        with transaction.atomic():
            publish_article(article, by=acting_user(request))
        return self._article_response(article.pk)

    @extend_schema(request=None, responses=ArticleSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        """Archive the article: readers and the search no longer see it."""
        article = self.get_object()
        with transaction.atomic():
            archive_article(article, by=acting_user(request))
        return self._article_response(article.pk)
