from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from modules.service.knowledge.choices import ArticleStatus, Visibility
from modules.service.knowledge.languages import SIMPLE
from modules.service.knowledge.models.fields import RegConfigField


class ArticleManager(models.Manager["Article"]):
    """Leaves the generated ``search_vector`` out of loaded rows: only SQL matches and ranks on it."""

    def get_queryset(self) -> models.QuerySet[Article]:
        return super().get_queryset().defer("search_vector")


class Article(models.Model):
    """A knowledge-base article in one language. Readers see the published ``title``/``body``;
    the editor works on ``draft_title``/``draft_body`` until it is published again, and every
    publication keeps an ``ArticleVersion``. The same article in other languages shares its
    ``translation_group``. Written only by ``services.articles``."""

    translation_group = models.UUIDField(_("translation group"), default=uuid.uuid4, editable=False)
    language = models.CharField(_("language"), max_length=10)
    # The text search configuration of ``language`` (``languages.search_config``), set by the service.
    search_config = RegConfigField(_("search configuration"), max_length=63, default=SIMPLE, editable=False)
    category = models.ForeignKey(
        "service_knowledge.KnowledgeCategory", verbose_name=_("category"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="articles",
    )  # fmt: skip
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    # What readers see: the content as last published ("" until the first publication).
    title = models.CharField(_("title"), max_length=300, blank=True)
    # Sanitised HTML (``modules.collaboration.sanitize``), never the raw input.
    body = models.TextField(_("text"), blank=True)
    # The words of ``body`` without markup: what is indexed and what snippets are cut from.
    body_text = models.TextField(_("plain text"), blank=True, editable=False)
    # What the editor works on; published as ``title``/``body``.
    draft_title = models.CharField(_("title"), max_length=300)
    draft_body = models.TextField(_("text"), blank=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=F("search_config"))
        + SearchVector("body_text", weight="B", config=F("search_config")),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleManager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["translation_group", "language"], name="knowledge_article_one_per_language",
                violation_error_message=_("This article already has a translation in this language."),
            ),
        ]  # fmt: skip
        indexes = [
            GinIndex(fields=["search_vector"], name="knowledge_article_search_idx"),
            # The typo-tolerant fallback (pg_trgm's word similarity on the title).
            GinIndex(OpClass("title", name="gin_trgm_ops"), name="knowledge_article_title_trgm"),
            models.Index(fields=["status", "visibility", "language"], name="knowledge_article_reader_idx"),
            models.Index(fields=["translation_group"], name="knowledge_article_group_idx"),
        ]

    def __str__(self) -> str:
        return self.title or self.draft_title

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    @property
    def has_unpublished_changes(self) -> bool:
        return self.draft_title != self.title or self.draft_body != self.body


class ArticleVersion(models.Model):
    """The content of one publication of an article, kept so an earlier one can be restored."""

    article = models.ForeignKey("service_knowledge.Article", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="knowledge_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleRating(models.Model):
    """Whether an article helped its reader: one rating per staff user or portal contact and
    article (rating again changes it)."""

    article = models.ForeignKey("service_knowledge.Article", on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="article_ratings"
    )
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("article rating")
        verbose_name_plural = _("article ratings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, contact__isnull=True)
                | models.Q(user__isnull=True, contact__isnull=False),
                name="knowledge_rating_one_reader",
            ),
            models.UniqueConstraint(
                fields=["article", "user"], condition=models.Q(user__isnull=False),
                name="knowledge_rating_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["article", "contact"], condition=models.Q(contact__isnull=False),
                name="knowledge_rating_once_per_contact",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"
