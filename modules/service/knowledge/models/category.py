from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class KnowledgeCategory(models.Model):
    """A section of the knowledge base (billing, shipping…), ordered by ``position``; a category
    may sit under another one (one level is what the pages show, deeper levels are allowed)."""

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent category"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="children",
    )  # fmt: skip
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("knowledge base category")
        verbose_name_plural = _("knowledge base categories")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], nulls_distinct=False, name="knowledge_category_unique_name",
                violation_error_message=_("A category of this name already exists here."),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name
