"""Custom field definitions: a tenant's own fields on its records. Values live in each record's
``custom`` JSONB column, keyed by the definition's immutable ``key``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from customization.fields import cache as definitions_cache
from customization.fields.choices import Entity, FieldType, IndexState


class DefinitionQuerySet(models.QuerySet["CustomFieldDefinition"]):
    """Updates and deletes retire the tenant's cached definitions (customization.fields.cache)."""

    def update(self, **kwargs: Any) -> int:
        count = super().update(**kwargs)
        definitions_cache.invalidate()
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        result = super().delete()
        definitions_cache.invalidate()
        return result


KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class CustomFieldDefinition(models.Model):
    """One field a tenant added to an entity. ``key`` never changes once created; ``label`` may
    (with translations per language); an archived field keeps its stored values until purged."""

    entity = models.CharField(_("record type"), max_length=20, choices=Entity.choices)
    key = models.CharField(
        _("key"),
        max_length=40,
        validators=[
            RegexValidator(
                KEY_PATTERN,
                _("Use lower-case letters, digits and underscores, starting with a letter (at most 40)."),
            )
        ],
        help_text=_("Used by the API and imports; cannot be changed later."),
    )
    label = models.CharField(_("label"), max_length=100)
    # {"ro": "Regiune", "fr": "Région"}: shown instead of ``label`` in those languages.
    label_translations = models.JSONField(_("translated labels"), default=dict, blank=True)
    field_type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    required = models.BooleanField(_("required"), default=False)
    is_unique = models.BooleanField(_("unique"), default=False, help_text=_("No two records may share a value."))
    default = models.JSONField(_("default value"), null=True, blank=True)
    help_text = models.CharField(_("help text"), max_length=255, blank=True)
    section = models.CharField(_("section"), max_length=60, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    # Select types: [{"value": "north", "label": "North"}]; values are stored, labels shown.
    options = models.JSONField(_("options"), default=list, blank=True)
    reference_entity = models.CharField(_("referenced record type"), max_length=20, choices=Entity.choices, blank=True)
    currency = models.CharField(_("default currency"), max_length=3, blank=True)
    is_indexed = models.BooleanField(
        _("indexed"), default=False, help_text=_("Builds a database index so lists filter and sort fast.")
    )
    index_state = models.CharField(max_length=10, choices=IndexState.choices, default=IndexState.NONE)
    index_error = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["entity", "position", "id"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        constraints = [
            models.UniqueConstraint(fields=["entity", "key"], name="custom_fields_unique_key"),
            models.CheckConstraint(condition=Q(key__regex=KEY_PATTERN), name="custom_fields_key_format"),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label in the active language, else the base label."""
        language = (translation.get_language() or "").lower()
        translations = self.label_translations or {}
        for candidate in (language, language.split("-")[0]):
            text = translations.get(candidate)
            if text:
                return str(text)
        return self.label

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def option_values(self) -> list[str]:
        return [str(option["value"]) for option in self.options or []]

    def option_label(self, value: str) -> str:
        for option in self.options or []:
            if str(option["value"]) == value:
                return str(option.get("label") or value)
        return value

    @property
    def index_name(self) -> str:
        """The tenant-schema index serving this field (unique per entity and key, ≤ 63 chars)."""
        return f"cf_{self.entity}_{self.key}"


class DefinitionsVersion(models.Model):
    """One row per tenant schema whose ``version`` grows with every definition change, so per-tenant
    artefacts built from the definitions (the GraphQL schema, OpenAPI document) know when to rebuild."""

    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"custom field definitions v{self.version}"
