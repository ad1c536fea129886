"""The collateral library's records: an item (what reps look for) and its versions (the files).
Files live in the private attachment storage under an unguessable key; only the permission-checked
download view and the signed share link serve them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Lookup
from django.utils.translation import gettext_lazy as _


class CollateralItem(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    category = models.CharField(_("category"), max_length=100, blank=True)
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True, verbose_name=_("tags"))
    current_version = models.ForeignKey(
        "CollateralVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("collateral item")
        verbose_name_plural = _("collateral items")
        indexes = [models.Index(fields=["category", "title"], name="collateral_category_idx")]

    def __str__(self) -> str:
        return self.title


class HasTag(Lookup):  # type: ignore[type-arg]
    """``tags__has_tag="Pricing"``: the item carries that tag (tags are stored lower-cased), the one
    tag a list filter names — ``@>`` as a GIN index would want it."""

    lookup_name = "has_tag"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> ARRAY[lower(%s)]::varchar(50)[]", (*lhs_params, str(self.rhs))


CollateralItem._meta.get_field("tags").register_lookup(HasTag)


class CollateralVersion(models.Model):
    """One uploaded file of an item; ``number`` counts from 1 per item. ``content_type`` is sniffed
    from the bytes (``modules.collaboration.services.attachments.checked_upload``)."""

    item = models.ForeignKey(CollateralItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    storage_key = models.CharField(max_length=255, unique=True)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "-number"]
        verbose_name = _("collateral version")
        verbose_name_plural = _("collateral versions")
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="collateral_version_number_once")]

    def __str__(self) -> str:
        return f"{self.filename} (v{self.number})"
