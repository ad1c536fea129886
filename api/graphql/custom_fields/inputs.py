"""Turning ``custom`` of a record input into the raw values the record services validate."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from graphql import GraphQLError

from api.graphql.core import enum_value, global_id_to_pk
from api.graphql.custom_fields.catalog import catalog_of
from api.graphql.custom_fields.links import target_of, target_type
from customization.fields.choices import FieldType
from customization.fields.models import CustomFieldDefinition
from customization.fields.validation import error_key


def raw_value(info: Any, definition: CustomFieldDefinition, value: Any) -> Any:
    """The validator's raw form of one typed input value; a global id becomes the record's key
    after checking the caller can see it."""
    if value is None:
        return None
    field_type = definition.field_type
    if field_type == FieldType.MULTI_SELECT:
        return [enum_value(item) for item in value]
    if field_type == FieldType.MONEY:
        return {name: item for name, item in dict(value).items() if item is not None}
    if field_type == FieldType.DATETIME and isinstance(value, datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    if field_type in (FieldType.USER, FieldType.REFERENCE):
        graphene_type = target_type(target_of(definition))
        pk = global_id_to_pk(value, graphene_type._meta.name)
        if pk is None or not is_visible(info, graphene_type, pk):
            message = _("No such %(type)s, or not one you can see.") % {"type": graphene_type._meta.name}
            raise ValidationError({error_key(definition.key): [message]})
        return pk
    return enum_value(value)


def is_visible(info: Any, graphene_type: Any, pk: int) -> bool:
    try:
        return graphene_type.get_node(info, str(pk)) is not None
    except GraphQLError:  # the caller may not see that kind of record at all
        return False


def with_custom_values(info: Any, entity: str, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` (service keyword arguments from a record input) with ``custom`` as raw values
    keyed by field key; a null ``custom`` is dropped."""
    if "custom" not in values:
        return values
    sent = values.pop("custom")
    if sent is None:
        return values
    catalog = catalog_of(info)
    custom: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for key, value in dict(sent).items():
        definition = catalog.definition(entity, key)
        if definition is None:  # the input type only has the catalog's fields
            continue
        try:
            custom[key] = raw_value(info, definition, value)
        except ValidationError as error:
            errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    return {**values, "custom": custom}
