"""Articles: the only writer of articles, their versions and ratings. Content is sanitised before
it is stored (``modules.collaboration.sanitize``); the search configuration follows the language;
publishing copies the draft to what readers see and keeps a version."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import check_value, without_control_characters
from identity.models import User
from modules.collaboration.sanitize import clean_note_html, plain_text
from modules.contacts.services.records import check_fields, validated
from modules.service.knowledge.choices import ArticleStatus, Visibility
from modules.service.knowledge.languages import article_languages, search_config
from modules.service.knowledge.models import Article, ArticleRating, ArticleVersion, KnowledgeCategory

MAX_TITLE = 300
# A long manual, not a book: bounds what one save may ask PostgreSQL to index.
MAX_BODY = 200_000
WRITABLE_FIELDS = ("draft_title", "draft_body", "language", "category", "visibility")


def _clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """The values checked and cleaned (the draft's HTML sanitised); errors name the field."""
    check_fields(Article, values, WRITABLE_FIELDS)
    cleaned: dict[str, Any] = {}
    if "draft_title" in values:
        title = " ".join(str(values["draft_title"] or "").split())
        check_value(title, field="draft_title")
        if not title:
            raise ValidationError({"draft_title": [_("Give the article a title.")]})
        if len(title) > MAX_TITLE:
            raise ValidationError({"draft_title": [_("Keep the title under %(max)d characters.") % {"max": MAX_TITLE}]})
        cleaned["draft_title"] = title
    if "draft_body" in values:
        body = str(values["draft_body"] or "")
        check_value(body, field="draft_body")
        if len(body) > MAX_BODY:
            raise ValidationError({"draft_body": [_("Keep the text under %(max)d characters.") % {"max": MAX_BODY}]})
        cleaned["draft_body"] = clean_note_html(body)
    if "language" in values:
        language = values["language"]
        if language not in dict(article_languages()):
            raise ValidationError({"language": [_("Choose one of the languages offered.")]})
        cleaned["language"] = language
        cleaned["search_config"] = search_config(language)
    if "category" in values:
        category = values["category"]
        if category is not None and not isinstance(category, KnowledgeCategory):
            raise ValidationError({"category": [_("Choose a category.")]})
        cleaned["category"] = category
    if "visibility" in values:
        if values["visibility"] not in Visibility.values:
            raise ValidationError({"visibility": [_("Choose internal or public.")]})
        cleaned["visibility"] = values["visibility"]
    return cleaned


def _check_translation(article: Article) -> None:
    """One article per language in a translation group; the error names the language."""
    taken = Article.objects.filter(translation_group=article.translation_group, language=article.language)
    if article.pk is not None:
        taken = taken.exclude(pk=article.pk)
    if taken.exists():
        raise ValidationError({"language": [_("This article already has a translation in this language.")]})


def create_article(*, by: User | None, translation_of: Article | None = None, **values: Any) -> Article:
    """A new draft (``draft_title``, ``draft_body``, ``language``, ``category``, ``visibility``). A translation
    joins ``translation_of``'s group and takes its category and visibility unless given."""
    if "language" not in values:
        raise ValidationError({"language": [_("Choose the article's language.")]})
    if translation_of is not None:
        values.setdefault("category", translation_of.category)
        values.setdefault("visibility", translation_of.visibility)
    values.setdefault("draft_title", "")
    cleaned = _clean_values(values)
    article = Article(created_by=by, **cleaned)
    if translation_of is not None:
        article.translation_group = translation_of.translation_group
    _check_translation(article)  # before the model's constraint, whose error would name no field
    validated(article, exclude=["search_vector"])
    with transaction.atomic():
        article.save()
    return article


def update_article(article: Article, *, by: User | None, **values: Any) -> Article:
    """Change the draft and the article's settings. A language, category or visibility change
    applies at once (readers of a published article see it); the text waits for publication."""
    cleaned = _clean_values(values)
    if not cleaned:
        return article
    for name, value in cleaned.items():
        setattr(article, name, value)
    if "language" in cleaned:
        _check_translation(article)
    validated(article, exclude=["search_vector"])
    with transaction.atomic():
        article.save()
    return article


def publish_article(article: Article, *, by: User | None) -> ArticleVersion:
    """The draft becomes what readers see (and is searched), kept as the next version."""
    if not article.draft_title:
        raise ValidationError({"draft_title": [_("Give the article a title.")]})
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        number = (article.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = ArticleVersion.objects.create(
            article=article, number=number, title=article.draft_title, body=article.draft_body, author=by
        )
        article.title = article.draft_title
        article.body = article.draft_body
        article.body_text = without_control_characters(plain_text(article.body))
        article.status = ArticleStatus.PUBLISHED
        article.published_at = timezone.now()
        article.save()
    return version


def archive_article(article: Article, *, by: User | None) -> Article:
    """Readers and the search no longer see the article; its versions stay."""
    article.status = ArticleStatus.ARCHIVED
    with transaction.atomic():
        article.save(update_fields=["status", "updated_at"])
    return article


def unpublish_article(article: Article, *, by: User | None) -> Article:
    """Back to a draft (readers no longer see it), for an article published too early."""
    article.status = ArticleStatus.DRAFT
    with transaction.atomic():
        article.save(update_fields=["status", "updated_at"])
    return article


def restore_version(version: ArticleVersion, *, by: User | None) -> Article:
    """An earlier version's content becomes the draft again; publishing makes it what readers see."""
    article = version.article
    article.draft_title = version.title
    article.draft_body = version.body
    with transaction.atomic():
        article.save(update_fields=["draft_title", "draft_body", "updated_at"])
    return article


def delete_article(article: Article, *, by: User | None) -> None:
    with transaction.atomic():
        article.delete()


def record_view(article: Article) -> None:
    """Count one reading (an UPDATE by F(): concurrent readers do not lose counts)."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


def rate_article(article: Article, *, helpful: bool, user: User | None = None, contact: Any = None) -> ArticleRating:
    """A staff user's or a portal contact's rating; rating again changes the earlier one."""
    if (user is None) == (contact is None):
        raise ValidationError({"helpful": [_("A rating is given by one reader.")]})
    if not article.is_published:
        raise ValidationError({"helpful": [_("Only published articles can be rated.")]})
    reader = {"user": user} if user is not None else {"contact": contact}
    with transaction.atomic():
        rating, _created = ArticleRating.objects.update_or_create(
            article=article, **reader, defaults={"helpful": bool(helpful)}
        )
    return rating
