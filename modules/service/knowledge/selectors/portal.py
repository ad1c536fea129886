"""What the customer portal reads of the knowledge base: published public articles only, never
internal ones or drafts (``readable_articles(public_only=True)``)."""

from __future__ import annotations

from django.db.models import QuerySet

from modules.service.knowledge.models import Article, KnowledgeCategory
from modules.service.knowledge.selectors.search import ArticleHit, readable_articles, search_articles


def public_articles(language: str | None = None) -> QuerySet[Article]:
    """Published public articles (of ``language`` when given), most viewed first."""
    return (
        readable_articles(public_only=True, language=language)
        .select_related("category")
        .order_by("category__position", "-view_count", "title", "pk")
    )


def public_article(pk: int, language: str | None = None) -> Article | None:
    """One published public article, or None (an internal, draft or archived one is not found)."""
    return public_articles(language).filter(pk=pk).first()


def public_categories(language: str | None = None) -> QuerySet[KnowledgeCategory]:
    """Categories holding at least one published public article (of ``language``)."""
    ids = public_articles(language).exclude(category=None).values("category_id")
    return KnowledgeCategory.objects.filter(pk__in=ids)


def search_public_articles(q: str, *, language: str | None = None, limit: int = 10) -> list[ArticleHit]:
    """The portal's search: published public articles matching ``q`` (errors name ``q``)."""
    return search_articles(q, public_only=True, language=language, limit=limit)
