"""The rules a custom field definition follows, shared by the services that write definitions
(``services``, ``conversion``). Each check returns the cleaned value or raises a ValidationError
naming its field."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customization.fields.choices import SELECT_TYPES, Entity, FieldType
from customization.fields.entities import entity_model
from customization.fields.models import KEY_PATTERN, CustomFieldDefinition
from customization.fields.queries import sort_expression
from customization.fields.types import InvalidValue, parse_value

NOT_UNIQUE_TYPES = frozenset({FieldType.BOOLEAN, FieldType.MULTI_SELECT, FieldType.LONG_TEXT})
NOT_INDEXED_TYPES = frozenset({FieldType.LONG_TEXT})
MAX_OPTIONS = 200
MAX_OPTION_VALUE = 100
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


def reserved_keys(entity: str) -> set[str]:
    """Names a key may not take on ``entity``: the model's own fields and relations."""
    meta = entity_model(entity)._meta
    names = {"id", "pk", "custom"}
    for field in meta.get_fields():
        names.add(field.name)
        attname = getattr(field, "attname", None)
        if attname:
            names.add(attname)
    return names


def language_codes() -> list[str]:
    return [code.lower() for code, _name in settings.LANGUAGES]


def record_ids_using(definition: CustomFieldDefinition, values: Sequence[str]) -> list[int]:
    """Ids of the records whose value of a select ``definition`` is one of ``values``."""
    queryset = entity_model(definition.entity)._default_manager.all()
    if definition.field_type == FieldType.MULTI_SELECT:
        queryset = queryset.filter(**{f"custom__{definition.key}__has_any_keys": list(values)})
    else:
        queryset = queryset.filter(**{f"custom__{definition.key}__in": list(values)})
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def check_text(name: str, value: Any, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({name: [_("Enter text.")]})
    value = value.strip()
    if required and not value:
        raise ValidationError({name: [_("This field is required.")]})
    if len(value) > limit:
        raise ValidationError({name: [_("Enter at most %(limit)d characters.") % {"limit": limit}]})
    return str(value)


def check_flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError({name: [_("Give true or false.")]})
    return value


def check_entity(entity: Any) -> str:
    if entity not in Entity.values:
        raise ValidationError({"entity": [_("Choose one of: %(values)s.") % {"values": ", ".join(Entity.values)}]})
    return str(entity)


def check_field_type(name: str, field_type: Any) -> str:
    if field_type not in FieldType.values:
        raise ValidationError({name: [_("Choose one of: %(values)s.") % {"values": ", ".join(FieldType.values)}]})
    return str(field_type)


def check_key(entity: str, key: Any) -> str:
    if not isinstance(key, str) or not re.match(KEY_PATTERN, key.strip()):
        raise ValidationError(
            {"key": [_("Use lower-case letters, digits and underscores, starting with a letter (at most 40).")]}
        )
    key = key.strip()
    if key in reserved_keys(entity):
        raise ValidationError({"key": [_("“%(key)s” is a standard field of this record type.") % {"key": key}]})
    if CustomFieldDefinition.objects.filter(entity=entity, key=key).exists():
        raise ValidationError({"key": [_("This record type already has a field with this key.")]})
    return str(key)


def check_translations(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError({"label_translations": [_("Give the labels as an object of language: label.")]})
    languages = language_codes()
    cleaned: dict[str, str] = {}
    for language, text in value.items():
        code = str(language).lower()
        if code not in languages:
            raise ValidationError(
                {
                    "label_translations": [
                        _("“%(code)s” is not a language of the platform; use one of: %(codes)s.")
                        % {"code": language, "codes": ", ".join(languages)}
                    ]
                }
            )
        label = check_text(f"label_{code.replace('-', '_')}", text, 100)
        if label:
            cleaned[code] = label
    return cleaned


def check_options(field_type: str, value: Any) -> list[dict[str, str]]:
    """Select options as ``[{"value", "label"}]``: at least one, unique values; ``[]`` for other types."""
    if field_type not in SELECT_TYPES:
        return []
    if not isinstance(value, list | tuple) or not value:
        raise ValidationError({"options": [_("Add at least one option.")]})
    if len(value) > MAX_OPTIONS:
        raise ValidationError({"options": [_("Use at most %(count)d options.") % {"count": MAX_OPTIONS}]})
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    for option in value:
        raw_value, raw_label = (
            (option.get("value"), option.get("label")) if isinstance(option, Mapping) else (None, None)
        )
        if not isinstance(raw_value, str) or not raw_value.strip():
            raise ValidationError({"options": [_("Every option needs a value.")]})
        option_value = raw_value.strip()
        if len(option_value) > MAX_OPTION_VALUE:
            raise ValidationError(
                {"options": [_("Option values have at most %(limit)d characters.") % {"limit": MAX_OPTION_VALUE}]}
            )
        if option_value in seen:
            raise ValidationError({"options": [_("The value “%(value)s” is used twice.") % {"value": option_value}]})
        seen.add(option_value)
        label = raw_label.strip() if isinstance(raw_label, str) and raw_label.strip() else option_value
        cleaned.append({"value": option_value, "label": label[:100]})
    return cleaned


def check_reference_entity(field_type: str, value: Any) -> str:
    if field_type != FieldType.REFERENCE:
        return ""
    if value not in Entity.values:
        raise ValidationError({"reference_entity": [_("Choose the type of record this field refers to.")]})
    return str(value)


def check_currency(field_type: str, value: Any) -> str:
    if field_type != FieldType.MONEY or value in (None, ""):
        return ""
    if not isinstance(value, str) or not CURRENCY_CODE.match(value.strip().upper()):
        raise ValidationError({"currency": [_("Give a three-letter currency code, e.g. EUR.")]})
    return value.strip().upper()


def check_indexing(field_type: str, *, is_unique: bool, is_indexed: bool) -> None:
    if is_unique and field_type in NOT_UNIQUE_TYPES:
        raise ValidationError({"is_unique": [_("Fields of this type cannot be unique.")]})
    if is_indexed and field_type in NOT_INDEXED_TYPES:
        raise ValidationError({"is_indexed": [_("Fields of this type cannot be indexed.")]})


def check_default(definition: CustomFieldDefinition, raw: Any) -> Any:
    """The stored form of a default value, parsed by the field's own type."""
    if definition.field_type in (FieldType.USER, FieldType.REFERENCE) and raw not in (None, ""):
        raise ValidationError({"default": [_("Fields of this type have no default value.")]})
    try:
        return parse_value(definition, raw)
    except InvalidValue as error:
        raise ValidationError({"default": [str(error)]}) from None


def check_no_duplicates(definition: CustomFieldDefinition) -> None:
    clashes = (
        entity_model(definition.entity)
        ._default_manager.filter(**{f"custom__{definition.key}__isnull": False})
        .annotate(_value=sort_expression(definition))
        .values("_value")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    if clashes:
        message = ngettext(
            "%(count)d value is shared by several records; make them distinct first.",
            "%(count)d values are shared by several records; make them distinct first.",
            clashes,
        )
        raise ValidationError({"is_unique": [message % {"count": clashes}]})
