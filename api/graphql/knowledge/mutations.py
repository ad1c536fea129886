"""The knowledge base's mutations: create, update, publish, archive and delete an article."""

from __future__ import annotations

from typing import Any

import graphene

from api.entities import ARTICLE
from api.graphql.core import RecordMutation, error_type, input_values, reloaded, resolve_reference
from api.graphql.knowledge.types import ArticleType, KnowledgeCategoryType, VisibilityEnum
from identity.models import User
from modules.service.knowledge.services.articles import (
    archive_article,
    create_article,
    delete_article,
    publish_article,
    update_article,
)

PUBLISH = "service.publish_articles"


class ArticleInput(graphene.InputObjectType):
    draft_title = graphene.String(description="The title being written.")
    draft_body = graphene.String(description="The text being written (HTML, sanitised on save).")
    language = graphene.String(description="The article's language tag (en, fr, pl…).")
    category = graphene.ID(description="A KnowledgeCategory id, or null for none.")
    visibility = VisibilityEnum()


def article_values(info: Any, data: Any) -> dict[str, Any]:
    return input_values(data, references={"category": KnowledgeCategoryType}, info=info)


class ArticleCreate(RecordMutation):
    """A new draft article (``translationOf``: the same article in another language)."""

    class Arguments:
        input = ArticleInput(required=True)
        translation_of = graphene.ID(description="An Article id this one translates.")

    article = graphene.Field(ArticleType)
    errors = graphene.List(graphene.NonNull(error_type("ArticleCreate")), required=True)

    module = ARTICLE.module
    permission = ARTICLE.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        source = None
        if data.get("translation_of"):
            source = resolve_reference(info, data["translation_of"], ArticleType, "translationOf")
        article = create_article(by=user, translation_of=source, **article_values(info, data["input"]))
        return {"article": reloaded(ArticleType, info, article)}


class ArticleUpdate(RecordMutation):
    """Change the draft and the settings sent in ``input``."""

    class Arguments:
        id = graphene.ID(required=True)
        input = ArticleInput(required=True)

    article = graphene.Field(ArticleType)
    errors = graphene.List(graphene.NonNull(error_type("ArticleUpdate")), required=True)

    module = ARTICLE.module
    permission = ARTICLE.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        article = resolve_reference(info, data["id"], ArticleType, "id")
        update_article(article, by=user, **article_values(info, data["input"]))
        return {"article": reloaded(ArticleType, info, article)}


class ArticlePublish(RecordMutation):
    """Publish the draft (readers see it; a new version is kept)."""

    class Arguments:
        id = graphene.ID(required=True)

    article = graphene.Field(ArticleType)
    errors = graphene.List(graphene.NonNull(error_type("ArticlePublish")), required=True)

    module = ARTICLE.module
    permission = PUBLISH

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        article = resolve_reference(info, data["id"], ArticleType, "id")
        publish_article(article, by=user)
        return {"article": reloaded(ArticleType, info, article)}


class ArticleArchive(RecordMutation):
    """Archive an article: readers and the search no longer see it."""

    class Arguments:
        id = graphene.ID(required=True)

    article = graphene.Field(ArticleType)
    errors = graphene.List(graphene.NonNull(error_type("ArticleArchive")), required=True)

    module = ARTICLE.module
    permission = PUBLISH

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        article = resolve_reference(info, data["id"], ArticleType, "id")
        archive_article(article, by=user)
        return {"article": reloaded(ArticleType, info, article)}


class ArticleDelete(RecordMutation):
    """Delete an article with its versions and ratings."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the article had.")
    errors = graphene.List(graphene.NonNull(error_type("ArticleDelete")), required=True)

    module = ARTICLE.module
    permission = ARTICLE.permission("delete")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_article(resolve_reference(info, data["id"], ArticleType, "id"), by=user)
        return {"deleted_id": data["id"]}


class KnowledgeMutations(graphene.ObjectType):
    article_create = ArticleCreate.Field()
    article_update = ArticleUpdate.Field()
    article_publish = ArticlePublish.Field()
    article_archive = ArticleArchive.Field()
    article_delete = ArticleDelete.Field()
