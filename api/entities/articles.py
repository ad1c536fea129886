"""Knowledge-base articles (the service module): drafts written by agents, published for staff or
also for customers, in one language each (translations share a group)."""

from __future__ import annotations

from api.entities.base import (
    ID,
    TIMESTAMPS,
    UPDATED_AFTER,
    EntityDescription,
    Field,
    by_id,
    choice,
    orderings,
    read_only,
    relation,
    text_exact,
    writable,
)
from modules.service.knowledge.choices import ArticleStatus, Visibility
from modules.service.knowledge.models import Article
from modules.service.knowledge.services.articles import create_article, delete_article, update_article

ARTICLE = EntityDescription(
    name="article",
    resource="articles",
    model=Article,
    module="service",
    owner_field="",
    graphql_type="Article",
    fields=(
        ID,
        writable("draft_title", "The title being written; readers see it once the article is published."),
        writable("draft_body", "The text being written (HTML, sanitised on save)."),
        Field("title", description="The published title (empty until the first publication)."),
        Field("body", description="The published text (sanitised HTML)."),
        writable("language", "The article's language (IETF tag such as en, fr, pl); decides how it is searched."),
        relation("category", "The knowledge-base category."),
        writable("visibility", "internal (staff only) or public (also the customer portal)."),
        Field("status", description="draft, published or archived; changes through the publish and archive routes."),
        Field("translation_group", description="Shared by the same article in other languages."),
        *read_only("view_count", "published_at"),
        *TIMESTAMPS,
    ),
    filters=(
        choice("status", ArticleStatus),
        choice("visibility", Visibility),
        text_exact("language", "The article's language tag (any case)."),
        by_id("category", "KnowledgeCategory", "A KnowledgeCategory id."),
        UPDATED_AFTER,
    ),
    orderings=orderings("title", "published_at", "view_count", "created_at", "updated_at"),
    create=create_article,
    update=update_article,
    delete=delete_article,
)
