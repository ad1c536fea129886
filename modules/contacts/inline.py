"""Inline editing of one field of a record, for record pages and list cells.

A record type takes part by registering an ``InlineEntity`` in its app's ``ready()``: the module
whose plan and permissions apply, the records a user may see, the update service and the fields
that are edited in place (custom fields always are). The endpoint (``views/inline.py``) and the
``{% inline_field %}`` tag read this registry, so a list built later edits its cells by naming the
record and the field, and every edit goes through the same service as the record's form.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.utils import formats, timezone

from customization.fields.choices import FieldType
from customization.fields.display import EMPTY, Lookups, Shown, record_choices, show
from customization.fields.form_fields import form_field, initial_value, raw_value
from customization.fields.models import CustomFieldDefinition
from customization.fields.validation import definitions_for
from identity.models import User

CUSTOM_PREFIX = "custom."


@dataclass(frozen=True)
class InlineEntity:
    module: str  # plan and permissions: ``<module>.view`` to see, ``<module>.change`` to edit
    model: type[models.Model]
    visible: Callable[[User], QuerySet[Any]]
    update: Callable[..., Any]  # the record's update service: update(record, by=user, **values)
    fields: tuple[str, ...]  # model fields edited in place (simple values, the owner)
    owners: Callable[[User], QuerySet[User]] | None = None  # who may be made owner
    # Field → the record's attribute naming its unit ("amount" → "currency"): the unit is part of
    # the shown value, so it sits beside the number rather than past the pencil.
    units: dict[str, str] = dataclasses.field(default_factory=dict)
    # Fields shown as a link to the record itself (a name in a list): the link survives a save.
    record_link: Callable[[Any], str] | None = None
    linked: tuple[str, ...] = ()


INLINE_ENTITIES: dict[str, InlineEntity] = {}


def register_inline(entity: str, spec: InlineEntity) -> None:
    INLINE_ENTITIES[entity] = spec


@dataclass(frozen=True)
class InlineField:
    """One editable field of a record type: a model field or a custom field definition."""

    entity: str
    name: str  # "amount" or "custom.tier"
    label: str
    model_field: models.Field | None = None
    definition: CustomFieldDefinition | None = None

    @property
    def is_custom(self) -> bool:
        return self.definition is not None

    @property
    def column(self) -> models.Field:
        """The model field (of a field that is not a custom one)."""
        if self.model_field is None:
            raise LookupError(self.name)
        return self.model_field


def inline_field_of(
    entity: str, name: str, *, definitions: list[CustomFieldDefinition] | None = None
) -> InlineField | None:
    """The field ``name`` of ``entity`` when it is edited in place; None otherwise.
    ``definitions``: the entity's active custom fields, when the caller has them already."""
    spec = INLINE_ENTITIES.get(entity)
    if spec is None:
        return None
    if name.startswith(CUSTOM_PREFIX):
        key = name.removeprefix(CUSTOM_PREFIX)
        known = definitions if definitions is not None else definitions_for(entity)
        definition = next((d for d in known if d.key == key), None)
        if definition is None:
            return None
        return InlineField(entity, name, definition.display_label, definition=definition)
    if name not in spec.fields:
        return None
    model_field = spec.model._meta.get_field(name)
    if not isinstance(model_field, models.Field):
        return None
    return InlineField(entity, name, str(model_field.verbose_name), model_field=model_field)


def form_field_for(field: InlineField, *, user: User) -> forms.Field:
    """The form field that edits ``field`` (the same widgets as the record's form)."""
    if field.definition is not None:
        users: list[tuple[str, str]] = []
        if field.definition.field_type == FieldType.USER:
            users = [("", "—"), *((str(u.pk), str(u)) for u in User.objects.filter(is_active=True))]
        references = None
        if field.definition.field_type == FieldType.REFERENCE:
            references = record_choices(field.definition.reference_entity, user=user)
        return form_field(field.definition, user_choices=users, reference_choices=references)
    spec = INLINE_ENTITIES[field.entity]
    if isinstance(field.column, models.ForeignKey):
        owners = spec.owners(user) if spec.owners is not None else User.objects.filter(is_active=True)
        return forms.ModelChoiceField(queryset=owners, required=False, label=field.label)
    built = field.column.formfield()
    if built is None:
        raise LookupError(field.name)
    if isinstance(field.column, models.DateField):
        built.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return built


def initial_for(field: InlineField, record: models.Model) -> Any:
    if field.definition is not None:
        stored = (getattr(record, "custom", None) or {}).get(field.definition.key)
        return None if stored is None else initial_value(field.definition, stored)
    if isinstance(field.column, models.ForeignKey):
        return getattr(record, field.column.attname)
    return getattr(record, field.name)


def service_values(field: InlineField, cleaned: Any) -> dict[str, Any]:
    """What the update service receives for the cleaned value."""
    if field.definition is not None:
        return {"custom": {field.definition.key: raw_value(field.definition, cleaned)}}
    text_field = isinstance(field.column, models.CharField | models.TextField)
    if cleaned is None and text_field and not field.column.null:
        cleaned = ""
    return {field.name: cleaned}


def shown_value(field: InlineField, record: models.Model, *, user: User) -> Shown:
    """The field's value for people (labels, names, localised numbers and dates), with its unit
    and, for a record's name, the link to the record."""
    shown = _shown_value(field, record, user=user)
    spec = INLINE_ENTITIES.get(field.entity)
    if spec is None or shown.is_empty or field.definition is not None:
        return shown
    unit = getattr(record, spec.units[field.name], "") if field.name in spec.units else ""
    if unit:
        shown = dataclasses.replace(shown, text=f"{shown.text} {unit}")
    if field.name in spec.linked and spec.record_link is not None:
        shown = dataclasses.replace(shown, url=spec.record_link(record))
    return shown


def _shown_value(field: InlineField, record: models.Model, *, user: User) -> Shown:
    if field.definition is not None:
        custom = getattr(record, "custom", None) or {}
        value = custom.get(field.definition.key)
        lookups = Lookups.load([field.definition], [custom], user=user) if value is not None else Lookups()
        return show(field.definition, value, lookups)
    value = getattr(record, field.name)
    if value is None or value == "":
        return Shown(EMPTY, is_empty=True)
    if field.column.choices:
        return Shown(str(getattr(record, f"get_{field.name}_display")()))
    if isinstance(value, User):
        return Shown(value.display_name)
    if isinstance(field.column, models.DateTimeField):
        return Shown(formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT"))
    if isinstance(field.column, models.DateField):
        return Shown(formats.date_format(value, "SHORT_DATE_FORMAT"))
    if isinstance(field.column, models.DecimalField):
        return Shown(formats.number_format(value, field.column.decimal_places, use_l10n=True, force_grouping=True))
    if isinstance(field.column, models.IntegerField):
        return Shown(formats.number_format(value, 0, use_l10n=True, force_grouping=True))
    if isinstance(field.column, models.EmailField):
        return Shown(str(value), url=f"mailto:{value}")
    if isinstance(field.column, models.URLField):
        return Shown(str(value), url=str(value))
    return Shown(str(value))
