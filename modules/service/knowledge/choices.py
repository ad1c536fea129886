from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    """Who may read an article: staff only, or also the customers in the portal."""

    INTERNAL = "internal", _("Internal")
    PUBLIC = "public", _("Public")


class ArticleStatus(models.TextChoices):
    """Only published articles are read and searched; a draft was never published (or was taken
    back), an archived one is kept for its history."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")
