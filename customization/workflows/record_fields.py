"""The fields of a CRM record as workflows see them: one catalogue per entity (the standard fields
that make sense in a rule plus the tenant's active custom fields), reading a field by its path
(``amount``, ``owner``, ``custom.region``) and setting fields through the record's own update
service, so a workflow's edit is validated, logged on the timeline and emitted as an event exactly
like a person's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from customization.fields.choices import Entity, FieldType
from customization.fields.entities import entity_model
from customization.fields.models import CustomFieldDefinition
from customization.fields.validation import definitions_for
from customization.workflows.registry import workflow_entity

CUSTOM_PREFIX = "custom."


class Kind:
    """How a field's value looks, so the rule builder offers the right input and operators."""

    TEXT = "text"
    NUMBER = "number"
    DECIMAL = "decimal"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    USER = "user"
    RECORD = "record"


@dataclass(frozen=True)
class FieldInfo:
    """One field a rule can test, set or use as a date trigger."""

    path: str
    label: str
    kind: str
    settable: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    # For ``record`` fields: which entity the id points to.
    reference_entity: str = ""
    is_custom: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "label": self.label,
            "kind": self.kind,
            "settable": self.settable,
            "choices": [{"value": value, "label": label} for value, label in self.choices],
            "reference_entity": self.reference_entity,
            "is_custom": self.is_custom,
        }


_CUSTOM_KINDS: dict[str, str] = {
    FieldType.TEXT: Kind.TEXT,
    FieldType.LONG_TEXT: Kind.TEXT,
    FieldType.EMAIL: Kind.TEXT,
    FieldType.PHONE: Kind.TEXT,
    FieldType.URL: Kind.TEXT,
    FieldType.NUMBER: Kind.NUMBER,
    FieldType.DECIMAL: Kind.DECIMAL,
    FieldType.MONEY: Kind.MONEY,
    FieldType.DATE: Kind.DATE,
    FieldType.DATETIME: Kind.DATETIME,
    FieldType.BOOLEAN: Kind.BOOLEAN,
    FieldType.SINGLE_SELECT: Kind.CHOICE,
    FieldType.MULTI_SELECT: Kind.MULTI_CHOICE,
    FieldType.USER: Kind.USER,
    FieldType.REFERENCE: Kind.RECORD,
}

_MONEY_FIELDS = frozenset({"amount", "estimated_value", "subtotal", "total"})
_RECORD_ENTITIES = {"company": Entity.COMPANY, "contact": Entity.CONTACT, "lead": Entity.LEAD, "deal": Entity.DEAL}


def _standard_kind(model_field: models.Field[Any, Any]) -> tuple[str, str]:
    """(kind, reference entity) of a model field."""
    if isinstance(model_field, models.ForeignKey):
        target = model_field.related_model
        if target is get_user_model():
            return Kind.USER, ""
        return Kind.RECORD, _RECORD_ENTITIES.get(model_field.name, "")
    if model_field.choices:
        return Kind.CHOICE, ""
    if model_field.name in _MONEY_FIELDS:
        return Kind.MONEY, ""
    if isinstance(model_field, models.DateTimeField):
        return Kind.DATETIME, ""
    if isinstance(model_field, models.DateField):
        return Kind.DATE, ""
    if isinstance(model_field, models.BooleanField):
        return Kind.BOOLEAN, ""
    if isinstance(model_field, models.DecimalField):
        return Kind.DECIMAL, ""
    if isinstance(model_field, models.IntegerField):
        return Kind.NUMBER, ""
    return Kind.TEXT, ""


def _standard_fields(entity: str) -> list[FieldInfo]:
    registered = workflow_entity(entity)
    model = entity_model(entity)
    fields = []
    for name, settable in registered.fields:
        model_field = model._meta.get_field(name)
        kind, reference = _standard_kind(model_field)  # type: ignore[arg-type]
        choices: tuple[tuple[str, str], ...] = tuple(
            (str(value), str(label)) for value, label in (getattr(model_field, "choices", None) or ())
        )
        if name in registered.choices:
            kind, reference, choices = Kind.CHOICE, "", registered.choices[name]()
        label = str(getattr(model_field, "verbose_name", name))
        fields.append(
            FieldInfo(path=name, label=label, kind=kind, settable=settable, choices=choices, reference_entity=reference)
        )
    return fields


def _custom_field(definition: CustomFieldDefinition) -> FieldInfo:
    kind = _CUSTOM_KINDS.get(definition.field_type, Kind.TEXT)
    choices = tuple((str(option["value"]), str(option["label"])) for option in definition.options or ())
    return FieldInfo(
        path=f"{CUSTOM_PREFIX}{definition.key}",
        label=definition.display_label,
        kind=kind,
        settable=True,
        choices=choices,
        reference_entity=definition.reference_entity if kind == Kind.RECORD else "",
        is_custom=True,
        extra={"field_type": definition.field_type},
    )


def field_catalog(entity: str) -> list[FieldInfo]:
    """The fields of ``entity`` a rule can use: standard ones, then active custom fields in order."""
    return [*_standard_fields(entity), *(_custom_field(d) for d in definitions_for(entity))]


def field_info(entity: str, path: str) -> FieldInfo | None:
    """The catalogue entry for ``path`` (None: not a field of the entity)."""
    for info in field_catalog(entity):
        if info.path == path:
            return info
    return None


def is_custom_path(path: str) -> bool:
    return path.startswith(CUSTOM_PREFIX)


def read_field(record: models.Model, path: str) -> Any:
    """The stored value at ``path``: custom values as stored (money ``{amount, currency}``), foreign
    keys as the related id, choices as their value, everything else as the model holds it."""
    if is_custom_path(path):
        return (getattr(record, "custom", None) or {}).get(path[len(CUSTOM_PREFIX) :])
    try:
        model_field = record._meta.get_field(path)
    except Exception as error:
        raise LookupError(f"{type(record).__name__} has no field {path!r}") from error
    if isinstance(model_field, models.ForeignKey):
        return getattr(record, model_field.attname)
    return getattr(record, path)


def _related(model_field: models.ForeignKey[Any, Any], raw: Any, path: str) -> models.Model | None:
    if raw in (None, ""):
        return None
    related_model: Any = model_field.related_model
    pk = raw.pk if isinstance(raw, models.Model) else raw
    try:
        queryset = related_model._default_manager.all()
        if related_model is get_user_model():
            queryset = queryset.filter(is_active=True)
        return queryset.get(pk=int(pk))  # type: ignore[no-any-return]
    except (ObjectDoesNotExist, TypeError, ValueError) as error:
        raise ValidationError({path: [_("No record with the id %(id)s exists.") % {"id": pk}]}) from error


def _standard_value(record: models.Model, path: str, raw: Any) -> Any:
    model_field = record._meta.get_field(path)
    if isinstance(model_field, models.ForeignKey):
        return _related(model_field, raw, path)
    if raw is None and not getattr(model_field, "null", False):
        raw = ""
    try:
        return model_field.to_python(raw)  # type: ignore[union-attr]
    except ValidationError as error:
        raise ValidationError({path: error.messages}) from error


def set_fields(record: models.Model, values: Mapping[str, Any], *, by: Any = None) -> models.Model:
    """Set ``values`` ({path: raw value}) on ``record`` through its update service. Custom values
    go to the field validator as given; standard values are converted by the model field (ids
    for users and records). A field the record type sets through a service of its own (a deal's
    ``stage`` moves the deal, so the stage's required fields and history apply) gets the other
    values along. Raises ``ValidationError`` keyed by path."""
    from customization.fields.entities import entity_of

    registered = workflow_entity(entity_of(record))
    allowed = {name for name, settable in registered.fields if settable}
    standard: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    special: list[tuple[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for path, raw in values.items():
        if is_custom_path(path):
            custom[path[len(CUSTOM_PREFIX) :]] = raw
        elif path not in allowed:
            errors[path] = [_("A workflow cannot set this field.")]
        elif path in registered.setters:
            if raw is not None:
                special.append((path, raw))
        else:
            try:
                standard[path] = _standard_value(record, path, raw)
            except ValidationError as error:
                errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    if custom:
        standard["custom"] = custom
    for path, raw in special:
        # The first such field takes the other values along; the values are then written.
        record = registered.setters[path](record, raw, standard, by=by)
        standard = {}
    if standard:
        registered.update(record, by=by, **standard)
    return record
