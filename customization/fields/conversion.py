"""Changing a custom field's type, stored values included.

Every record's value is handed to the new type's parser (``42`` stays 42 as a number, becomes
"42" as text; "north" becomes ["north"] as a multi select...). Conversions that cannot fail run
as one UPDATE; the others read the values in id order with a server-side cursor and write each
batch with one UPDATE. All of it is one transaction, with the record table locked against other
writers, so the field never holds values of two types. A value that does not convert refuses the
change with a report, unless the caller asks to clear such values.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customization.fields.choices import SELECT_TYPES, FieldType
from customization.fields.entities import entity_model
from customization.fields.indexes import schedule_index_sync
from customization.fields.models import CustomFieldDefinition
from customization.fields.rules import (
    check_currency,
    check_field_type,
    check_indexing,
    check_no_duplicates,
    check_options,
    check_reference_entity,
)
from customization.fields.types import InvalidValue, parse_value
from customization.fields.versions import bump_definitions_version
from identity.models import User

BATCH = 1000
SHOWN_FAILURES = 20
TEXTUAL = frozenset({FieldType.TEXT, FieldType.LONG_TEXT, FieldType.EMAIL, FieldType.PHONE, FieldType.URL})
# Stored strings every text type takes as they are (≤ 255 characters, already stripped).
SHORT_STRINGS = frozenset(
    {FieldType.TEXT, FieldType.PHONE, FieldType.SINGLE_SELECT, FieldType.DATE, FieldType.DATETIME, FieldType.DECIMAL}
)


@dataclass(frozen=True)
class Failure:
    record_id: int
    value: Any
    message: str


@dataclass
class ConversionReport:
    """What a type change does (``applied``) or would do to the stored values."""

    old_type: str
    new_type: str
    total: int = 0  # records holding a value
    converted: int = 0
    failed: int = 0
    failures: list[Failure] = field(default_factory=list)  # the first SHOWN_FAILURES
    dropped: int = 0
    default_cleared: bool = False
    applied: bool = False

    @property
    def old_type_label(self) -> str:
        return str(FieldType(self.old_type).label)

    @property
    def new_type_label(self) -> str:
        return str(FieldType(self.new_type).label)

    def add_failure(self, record_id: int, value: Any, message: str) -> None:
        self.failed += 1
        if len(self.failures) < SHOWN_FAILURES:
            self.failures.append(Failure(record_id, value, message))


class UnconvertibleValues(ValidationError):
    """The change is refused: some values do not convert. ``report`` says which."""

    def __init__(self, report: ConversionReport) -> None:
        message = ngettext(
            "%(count)d value cannot be converted. Fix it, or clear the values that do not convert.",
            "%(count)d values cannot be converted. Fix them, or clear the values that do not convert.",
            report.failed,
        )
        super().__init__({"field_type": [message % {"count": report.failed}]})
        self.report = report


def as_input(old: str, new: str, value: Any) -> Any:
    """A stored value of type ``old`` as input the parser of ``new`` understands."""
    if isinstance(value, dict):  # money
        if new == FieldType.MONEY:
            return value
        if new in TEXTUAL:
            return f"{value.get('amount', '')} {value.get('currency', '')}".strip()
        return value.get("amount")
    if isinstance(value, list):  # multi select
        if new == FieldType.SINGLE_SELECT and len(value) == 1:
            return value[0]
        if new in TEXTUAL:
            return ", ".join(str(item) for item in value)
        return value
    if isinstance(value, bool):
        if new in (FieldType.NUMBER, FieldType.DECIMAL):
            return int(value)
        return ("true" if value else "false") if new != FieldType.BOOLEAN else value
    if isinstance(value, int | float):
        if new == FieldType.MULTI_SELECT:
            return [str(value)]
        if new in TEXTUAL or new in (FieldType.SINGLE_SELECT, FieldType.BOOLEAN):
            return str(value)
        return value
    if isinstance(value, str):
        if new == FieldType.MULTI_SELECT:
            return [value]
        if new == FieldType.DATETIME and old == FieldType.DATE:
            return f"{value}T00:00:00Z"
        if new == FieldType.DATE and old == FieldType.DATETIME:
            return value[:10]
    return value


def set_based_expression(current: CustomFieldDefinition, target: CustomFieldDefinition) -> str | None:
    """SQL for the new value of ``custom -> key`` when no value can fail, else None."""
    old, new = current.field_type, target.field_type
    if new in (FieldType.TEXT, FieldType.LONG_TEXT) and (
        old in SHORT_STRINGS or (new == FieldType.LONG_TEXT and old in TEXTUAL)
    ):
        return "custom -> %(key)s"  # the stored string is valid text as it is
    if new in (FieldType.TEXT, FieldType.LONG_TEXT) and old == FieldType.NUMBER:
        return "to_jsonb(custom ->> %(key)s)"
    if old == FieldType.DATE and new == FieldType.DATETIME:
        return "to_jsonb((custom ->> %(key)s) || 'T00:00:00Z')"
    if old == FieldType.DATETIME and new == FieldType.DATE:
        return "to_jsonb(left(custom ->> %(key)s, 10))"
    if (
        old == FieldType.SINGLE_SELECT
        and new == FieldType.MULTI_SELECT
        and set(current.option_values) <= set(target.option_values)
    ):
        return "jsonb_build_array(custom -> %(key)s)"
    return None


def _table(definition: CustomFieldDefinition) -> str:
    return connection.ops.quote_name(entity_model(definition.entity)._meta.db_table)


def _stored(definition: CustomFieldDefinition) -> models.QuerySet[Any]:
    key = definition.key
    return (
        entity_model(definition.entity)
        ._default_manager.filter(custom__has_key=key)
        .exclude(**{f"custom__{key}": None})
        .order_by("pk")
    )


def _batches(definition: CustomFieldDefinition) -> Iterator[list[tuple[int, Any]]]:
    rows = _stored(definition).values_list("pk", f"custom__{definition.key}").iterator(chunk_size=BATCH)
    batch: list[tuple[int, Any]] = []
    for row in rows:
        batch.append((row[0], row[1]))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _missing_ids(target: CustomFieldDefinition, ids: set[int]) -> set[int]:
    """Of ``ids``, those naming no active user / no record of the referenced type."""
    if target.field_type == FieldType.USER:
        queryset: models.QuerySet[Any] = get_user_model().objects.filter(is_active=True)
    elif target.field_type == FieldType.REFERENCE:
        queryset = entity_model(target.reference_entity)._default_manager.all()
    else:
        return set()
    return ids - set(queryset.filter(pk__in=ids).values_list("pk", flat=True))


def _convert(
    current: CustomFieldDefinition, target: CustomFieldDefinition, report: ConversionReport, *, write: bool
) -> list[int]:
    """Parse every stored value for ``target``; write the changed ones when ``write``. Returns the
    ids of the records whose value does not convert."""
    table, key = _table(current), current.key
    failed_ids: list[int] = []
    for batch in _batches(current):
        parsed: dict[int, Any] = {}
        for record_id, value in batch:
            try:
                parsed[record_id] = parse_value(target, as_input(current.field_type, target.field_type, value))
            except InvalidValue as error:
                report.add_failure(record_id, value, str(error))
                failed_ids.append(record_id)
        ids = {value for value in parsed.values() if isinstance(value, int) and not isinstance(value, bool)}
        missing = _missing_ids(target, ids) if ids else set()
        for record_id, value in batch:
            if missing and record_id in parsed and parsed[record_id] in missing:
                report.add_failure(record_id, value, _("No record has the id %(id)s.") % {"id": value})
                failed_ids.append(record_id)
                del parsed[record_id]
        report.converted += len(parsed)
        originals = dict(batch)
        changed = {
            pk: value
            for pk, value in parsed.items()
            if value != originals[pk] or type(value) is not type(originals[pk])
        }
        if not write or not changed:
            continue
        cleared = [pk for pk, value in changed.items() if value is None]
        kept = {pk: value for pk, value in changed.items() if value is not None}
        with connection.cursor() as cursor:
            if kept:
                cursor.execute(
                    f"UPDATE {table} SET custom = jsonb_set(custom, ARRAY[%s], v.value::jsonb)"  # noqa: S608
                    " FROM unnest(%s::bigint[], %s::text[]) AS v(id, value)"
                    f" WHERE {table}.id = v.id",
                    [key, list(kept), [json.dumps(value) for value in kept.values()]],
                )
            if cleared:
                cursor.execute(f"UPDATE {table} SET custom = custom - %s WHERE id = ANY(%s)", [key, cleared])  # noqa: S608
    return failed_ids


def _target(
    definition: CustomFieldDefinition, new_type: str, *, options: Any, reference_entity: Any, currency: Any
) -> CustomFieldDefinition:
    if new_type == definition.field_type:
        raise ValidationError({"field_type": [_("The field already has this type.")]})
    if options is None and definition.field_type in SELECT_TYPES:
        options = definition.options
    target = CustomFieldDefinition(
        pk=definition.pk,
        entity=definition.entity,
        key=definition.key,
        label=definition.label,
        field_type=new_type,
        options=check_options(new_type, options),
        reference_entity=check_reference_entity(new_type, reference_entity or definition.reference_entity),
        currency=check_currency(new_type, definition.currency if currency is None else currency),
        is_unique=definition.is_unique,
        is_indexed=definition.is_indexed,
    )
    try:
        check_indexing(new_type, is_unique=target.is_unique, is_indexed=target.is_indexed)
    except ValidationError as error:
        raise ValidationError(
            {"field_type": [_("Fields of this type cannot be unique or indexed: turn that off first.")]}
        ) from error
    return target


def change_field_type(
    definition: CustomFieldDefinition,
    new_type: str,
    *,
    by: User | None,
    dry_run: bool = False,
    drop_unconvertible: bool = False,
    options: Any = None,
    reference_entity: Any = None,
    currency: Any = None,
) -> ConversionReport:
    """Give ``definition`` the type ``new_type`` and convert its stored values. ``options`` (select
    types), ``reference_entity`` and ``currency`` configure the new type. With ``dry_run`` nothing
    is written and the report says what would happen. Values that do not convert raise
    ``UnconvertibleValues`` (with the report) unless ``drop_unconvertible`` clears them."""
    new_type = check_field_type("field_type", new_type)
    with transaction.atomic():
        definition = CustomFieldDefinition.objects.select_for_update().get(pk=definition.pk)
        target = _target(definition, new_type, options=options, reference_entity=reference_entity, currency=currency)
        report = ConversionReport(old_type=definition.field_type, new_type=new_type)
        report.total = _stored(definition).count()
        if not dry_run:
            # Other writers wait until the values and the definition change together.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {_table(definition)} IN EXCLUSIVE MODE")
        expression = set_based_expression(definition, target)
        if expression is not None:
            report.converted = report.total
            failed_ids: list[int] = []
            if not dry_run and not expression.startswith("custom -> "):
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {_table(definition)} SET custom = jsonb_set(custom, ARRAY[%(key)s], {expression})"  # noqa: S608
                        " WHERE custom ? %(key)s AND custom -> %(key)s <> 'null'::jsonb",
                        {"key": definition.key},
                    )
        else:
            failed_ids = _convert(definition, target, report, write=not dry_run)
        if definition.default is not None:
            try:
                target.default = parse_value(target, as_input(definition.field_type, new_type, definition.default))
            except InvalidValue:
                target.default = None
            report.default_cleared = target.default is None
        if dry_run:
            return report
        if failed_ids and not drop_unconvertible:
            raise UnconvertibleValues(report)
        if failed_ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {_table(definition)} SET custom = custom - %s WHERE id = ANY(%s)",  # noqa: S608
                    [definition.key, failed_ids],
                )
            report.dropped = len(failed_ids)
        if target.is_unique:
            try:
                check_no_duplicates(target)
            except ValidationError as error:
                raise ValidationError({"field_type": error.message_dict["is_unique"]}) from error
        for name in ("field_type", "options", "reference_entity", "currency", "default"):
            setattr(definition, name, getattr(target, name))
        definition.save()
        bump_definitions_version()
        if target.is_unique or target.is_indexed:
            schedule_index_sync(definition)
        report.applied = True
    return report
