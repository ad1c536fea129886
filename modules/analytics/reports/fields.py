"""The fields of a report source as one user may use them: their type, translated label, SQL
expression, and for amounts the currency expression.

Fields one link away (``company.industry``) and links to other records (a deal's company) follow
the link rule of ``modules.record_access``: a link into a module the user may not view is not
offered, and the value of a linked record outside the user's record visibility reads as empty, so
grouping deals by their company's industry tells a rep nothing about companies the rep may not
open.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from customization.fields.choices import FieldType
from customization.fields.models import CustomFieldDefinition
from customization.fields.queries import sort_expression
from customization.fields.validation import definitions_for
from identity.models import User
from modules.analytics.reports.registry import ReportSource
from modules.record_access import RecordAccess, extra_visibility_condition, owner_field_of

CUSTOM = "custom."
# The column a linked record is named by, tried in this order.
NAME_COLUMNS = ("full_name", "name", "number", "subject")


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    RECORD = "record"
    USER = "user"


NUMERIC = frozenset({Kind.NUMBER, Kind.MONEY})
ORDERED = NUMERIC | {Kind.DATE, Kind.DATETIME}
DATED = frozenset({Kind.DATE, Kind.DATETIME})


@dataclass(frozen=True)
class ReportField:
    name: str
    label: str
    kind: Kind
    expression: Any
    # The model field (standard fields) or definition (custom fields) the value comes from.
    model_field: Any = None
    definition: CustomFieldDefinition | None = None
    choices: dict[str, str] | None = None
    # A linked record's name, shown for its id.
    label_expression: Any = None
    currency: Any = None
    # The ORM path filters use (None: filters go through the expression, custom fields).
    path: str | None = None

    def describe(self) -> dict[str, Any]:
        """What the builder and the APIs show of the field."""
        described: dict[str, Any] = {"name": self.name, "label": self.label, "type": str(self.kind)}
        if self.choices is not None:
            described["choices"] = [{"value": value, "label": label} for value, label in self.choices.items()]
        return described


def _name_column(model: type[models.Model]) -> str | None:
    names = {field.name for field in model._meta.concrete_fields}
    return next((name for name in NAME_COLUMNS if name in names), None)


class _Resolver:
    def __init__(self, source: ReportSource, access: RecordAccess) -> None:
        self.source = source
        self.access = access
        self.model = source.model_class()

    def guarded(self, link: str | None, target: type[models.Model], expression: Any) -> Any:
        """``expression`` read through ``link`` (to a record of ``target``): None when the user may
        not use the target's module, empty where the linked record lies outside visibility."""
        if not self.access.may_use(target):
            return None
        owner = owner_field_of(target)
        owners = self.access.owner_ids()
        if link is None or owner is None or owners is None:
            return expression
        visible = Q(**{f"{link}__{owner}_id__in": sorted(owners)})
        extra = extra_visibility_condition(target, f"{link}__", self.access)  # unassigned cases of one's queues
        if extra is not None:
            visible |= extra
        return Case(When(visible, then=expression), default=Value(None))

    def standard(self, name: str) -> ReportField | None:
        parts = name.split(".")
        if len(parts) > 2:
            return None
        model: type[models.Model] = self.model
        link: str | None = None
        label_prefix = ""
        if len(parts) == 2:
            relation = self._relation(model, parts[0])
            if relation is None:
                return None
            link = parts[0]
            model = relation.related_model
            label_prefix = f"{capfirst(str(relation.verbose_name))}: "
        try:
            model_field: Any = model._meta.get_field(parts[-1])
        except FieldDoesNotExist:
            return None
        if not getattr(model_field, "concrete", False) or model_field.many_to_many:
            return None
        path = "__".join(parts)
        label = label_prefix + capfirst(str(model_field.verbose_name))
        if model_field.is_relation:
            target: type[models.Model] = model_field.related_model
            column = _name_column(target)
            if column is None:
                return None
            ids = self.guarded(path, target, F(f"{path}_id"))
            names = self.guarded(path, target, F(f"{path}__{column}"))
            if link and ids is not None and names is not None:
                ids, names = self.guarded(link, model, ids), self.guarded(link, model, names)
            if ids is None or names is None:
                return None
            kind = Kind.USER if target is User else Kind.RECORD
            return ReportField(name, label, kind, ids, model_field, label_expression=names, path=f"{path}_id")
        expression = self.guarded(link, model, F(path))
        if expression is None:
            return None
        kind, choices = _kind_of(model_field)
        currency = None
        if name in self.source.money:
            kind = Kind.MONEY
            currency_field = self.standard(self.source.money[name])
            currency = currency_field.expression if currency_field else None
        return ReportField(name, label, kind, expression, model_field, choices=choices, currency=currency, path=path)

    def _relation(self, model: type[models.Model], name: str) -> Any:
        try:
            relation = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not (relation.many_to_one or relation.one_to_one) or not relation.concrete:
            return None
        return relation

    def custom(self, definition: CustomFieldDefinition) -> ReportField | None:
        field_type = definition.field_type
        key = definition.key
        label = definition.display_label
        name = f"{CUSTOM}{key}"
        text: Any = KeyTextTransform(key, "custom")
        if field_type in (FieldType.NUMBER, FieldType.DECIMAL):
            return ReportField(name, label, Kind.NUMBER, sort_expression(definition), definition=definition)
        if field_type == FieldType.MONEY:
            currency = KeyTextTransform("currency", KeyTextTransform(key, "custom"))
            return ReportField(
                name, label, Kind.MONEY, sort_expression(definition), definition=definition, currency=currency
            )
        if field_type == FieldType.DATE:
            return ReportField(name, label, Kind.DATE, Cast(text, models.DateField()), definition=definition)
        if field_type == FieldType.DATETIME:
            return ReportField(name, label, Kind.DATETIME, Cast(text, models.DateTimeField()), definition=definition)
        if field_type == FieldType.BOOLEAN:
            return ReportField(name, label, Kind.BOOLEAN, Cast(text, models.BooleanField()), definition=definition)
        if field_type == FieldType.SINGLE_SELECT:
            choices = {value: definition.option_label(value) for value in definition.option_values}
            return ReportField(name, label, Kind.CHOICE, text, definition=definition, choices=choices)
        if field_type == FieldType.USER:
            return ReportField(name, label, Kind.USER, Cast(text, models.BigIntegerField()), definition=definition)
        if field_type == FieldType.MULTI_SELECT:
            return None  # one record holds several values: it cannot be one group
        return ReportField(name, label, Kind.TEXT, text, definition=definition)


def _kind_of(model_field: Any) -> tuple[Kind, dict[str, str] | None]:
    if model_field.choices:
        return Kind.CHOICE, {str(value): str(label) for value, label in model_field.flatchoices}
    if isinstance(model_field, models.BooleanField):
        return Kind.BOOLEAN, None
    if isinstance(model_field, models.DateTimeField):
        return Kind.DATETIME, None
    if isinstance(model_field, models.DateField):
        return Kind.DATE, None
    if isinstance(model_field, models.IntegerField | models.DecimalField | models.FloatField):
        return Kind.NUMBER, None
    return Kind.TEXT, None


def source_fields(source: ReportSource, access: RecordAccess) -> dict[str, ReportField]:
    """Every field of ``source`` the user may use, by name, in the builder's order (custom fields
    last): one query for the custom-field definitions."""
    resolver = _Resolver(source, access)
    fields: dict[str, ReportField] = {}
    for name in source.fields:
        field = resolver.standard(name)
        if field is not None:
            fields[name] = field
    definitions: Iterable[CustomFieldDefinition] = definitions_for(source.entity) if source.entity else ()
    for definition in definitions:
        field = resolver.custom(definition)
        if field is not None:
            fields[field.name] = field
    return fields


def unknown_field_message(name: str) -> str:
    return _("There is no field %(name)s in this report's records.") % {"name": name}
